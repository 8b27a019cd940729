package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading Flink's BashJavaUtils output, and running it on a real configuration. */
class FlinkMemoryTest {

    @Test
    void takesTheLastTwoResultLines() {
        FlinkMemory memory =
                FlinkMemory.parse(
                        """
                        INFO  some log line
                        BASH_JAVA_UTILS_EXEC_RESULT:-Xmx536870902 -Xms536870902 -XX:MaxDirectMemorySize=268435458 -XX:MaxMetaspaceSize=268435456
                        BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.network.min=134217730b -D taskmanager.cpu.cores=4.0
                        """);
        assertThat(memory.jvmArgs())
                .containsExactly(
                        "-Xmx536870902",
                        "-Xms536870902",
                        "-XX:MaxDirectMemorySize=268435458",
                        "-XX:MaxMetaspaceSize=268435456");
        assertThat(memory.dynamicProperties())
                .containsExactly(
                        "-D",
                        "taskmanager.memory.network.min=134217730b",
                        "-D",
                        "taskmanager.cpu.cores=4.0");
    }

    @Test
    void saysWhatItGotWhenTheResultIsMissing() {
        assertThatThrownBy(() -> FlinkMemory.parse("Exception in thread main"))
                .hasMessageContaining("0 result lines")
                .hasMessageContaining("Exception in thread main");
    }

    @Test
    void computesTaskManagerFlagsFromTheProcessSizeLikeFlinkDist(@TempDir Path dir)
            throws Exception {
        String classpathFile = System.getProperty("streamlip.flink.classpath");
        assertThat(classpathFile).as("set by the deploy module's surefire").isNotNull();
        String classpath = Files.readString(Path.of(classpathFile)).trim();
        Path conf = FlinkClusterConfig.defaults(dir).write(dir.resolve("conf"));

        FlinkMemory tm = FlinkMemory.compute(classpath, conf, FlinkMemory.Role.TASK_MANAGER);
        long heap = bytes(tm.jvmArgs(), "-Xmx");
        long direct = bytes(tm.jvmArgs(), "-XX:MaxDirectMemorySize=");
        long metaspace = bytes(tm.jvmArgs(), "-XX:MaxMetaspaceSize=");
        // 2560m process = heap + direct (off-heap + network) + managed + metaspace + overhead
        assertThat(heap + direct + metaspace).isLessThan(2560L << 20);
        assertThat(metaspace).isEqualTo(256L << 20);
        assertThat(tm.dynamicProperties())
                .contains("-D")
                .anySatisfy(p -> assertThat(p).startsWith("taskmanager.memory.managed.size="));

        FlinkMemory jm = FlinkMemory.compute(classpath, conf, FlinkMemory.Role.JOB_MANAGER);
        assertThat(bytes(jm.jvmArgs(), "-Xmx")).isBetween(256L << 20, 1024L << 20);
    }

    static long bytes(java.util.List<String> args, String prefix) {
        return args.stream()
                .filter(a -> a.startsWith(prefix))
                .map(a -> Long.parseLong(a.substring(prefix.length())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + args));
    }
}
