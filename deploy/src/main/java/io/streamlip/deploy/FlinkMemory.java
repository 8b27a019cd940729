package io.streamlip.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A Flink process's memory settings, computed the way flink-dist's {@code jobmanager.sh} and {@code
 * taskmanager.sh} compute them: by running Flink's own {@code BashJavaUtils} on the configuration
 * folder ({@code GET_JM_RESOURCE_PARAMS} / {@code GET_TM_RESOURCE_PARAMS}). Its output ends with
 * two lines prefixed {@value #RESULT_PREFIX}: the JVM flags ({@code -Xmx -Xms
 * -XX:MaxDirectMemorySize -XX:MaxMetaspaceSize}) and the dynamic properties ({@code -D key=value}
 * for every derived memory size), which the scripts pass as program arguments. Using Flink's code
 * rather than re-implementing its memory model keeps the flags right for any {@code *.memory.*}
 * setting.
 *
 * @param jvmArgs flags for the {@code java} command line
 * @param dynamicProperties arguments for the entry point ({@code -D}, {@code key=value} pairs)
 */
public record FlinkMemory(List<String> jvmArgs, List<String> dynamicProperties) {
    /** The prefix of BashJavaUtils' result lines. */
    public static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** Which process to compute for. */
    public enum Role {
        JOB_MANAGER("GET_JM_RESOURCE_PARAMS"),
        TASK_MANAGER("GET_TM_RESOURCE_PARAMS");

        final String command;

        Role(String command) {
            this.command = command;
        }
    }

    /** Runs BashJavaUtils from {@code classpath} on {@code confDir}. */
    public static FlinkMemory compute(String classpath, Path confDir, Role role) {
        String output =
                JavaProcess.run(
                        "flink-memory",
                        JavaProcess.command(
                                List.of("-Xmx128m"),
                                classpath,
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                List.of(role.command, "--configDir", confDir.toString())),
                        Duration.ofMinutes(5));
        return parse(output);
    }

    /** Reads the two result lines out of BashJavaUtils' output (it also logs other lines). */
    public static FlinkMemory parse(String output) {
        List<String> results =
                output.lines()
                        .filter(l -> l.startsWith(RESULT_PREFIX))
                        .map(l -> l.substring(RESULT_PREFIX.length()).trim())
                        .toList();
        if (results.size() < 2) {
            throw new IllegalStateException(
                    "BashJavaUtils gave " + results.size() + " result lines, want 2: " + output);
        }
        List<String> last = results.subList(results.size() - 2, results.size());
        return new FlinkMemory(split(last.get(0)), split(last.get(1)));
    }

    private static List<String> split(String line) {
        return Arrays.stream(line.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
