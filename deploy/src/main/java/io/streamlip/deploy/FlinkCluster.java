package io.streamlip.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink session cluster of separate JVMs started from Maven artifacts instead of
 * flink-dist: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and any number of
 * TaskManagers ({@code TaskManagerRunner}), each with the memory flags {@link FlinkMemory} computes
 * from the configuration folder, the Java 17 opens of flink-dist's {@code env.java.opts.all}, and
 * its own log file ({@code log/<name>.log}) — what {@code deploy/bin/start-cluster.sh} does in
 * shell.
 *
 * <p>The processes belong to a {@link ProcessGroup}, so they end with their owner.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);

    /** flink-dist's {@code env.java.opts.all} for Java 17. */
    public static final List<String> JAVA_17_OPENS =
            List.of(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");

    static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlinkClusterConfig config;
    private final Path home;
    private final Path confDir;
    private final String classpath;
    private final ProcessGroup processes;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JavaProcess jobManager;
    private final List<JavaProcess> taskManagers = new ArrayList<>();
    private int taskManagersStarted;

    private FlinkCluster(
            FlinkClusterConfig config, Path home, String classpath, ProcessGroup processes) {
        this.config = config;
        this.home = home.toAbsolutePath();
        this.confDir = config.write(this.home.resolve("conf"));
        this.classpath = classpath;
        this.processes = processes;
    }

    /**
     * Writes the configuration under {@code home/conf}, then starts the JobManager and {@code
     * taskManagers} TaskManagers (without waiting; see {@link #awaitSlots}).
     *
     * @param classpath the cluster's classpath (deploy/flink-cluster's {@code classpath.txt})
     */
    public static FlinkCluster start(
            FlinkClusterConfig config,
            Path home,
            String classpath,
            int taskManagers,
            ProcessGroup processes) {
        FlinkCluster cluster = new FlinkCluster(config, home, classpath, processes);
        cluster.startJobManager();
        for (int i = 0; i < taskManagers; i++) {
            cluster.startTaskManager();
        }
        return cluster;
    }

    private void startJobManager() {
        FlinkMemory memory = FlinkMemory.compute(classpath, confDir, FlinkMemory.Role.JOB_MANAGER);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(List.of("--executionMode", "cluster"));
        args.addAll(memory.dynamicProperties());
        jobManager = processes.add(launch("jobmanager", JOB_MANAGER_MAIN, memory, args));
    }

    /** Starts one more TaskManager and returns it. */
    public synchronized JavaProcess startTaskManager() {
        FlinkMemory memory = FlinkMemory.compute(classpath, confDir, FlinkMemory.Role.TASK_MANAGER);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(memory.dynamicProperties());
        JavaProcess tm =
                processes.add(
                        launch(
                                "taskmanager-" + (++taskManagersStarted),
                                TASK_MANAGER_MAIN,
                                memory,
                                args));
        taskManagers.add(tm);
        return tm;
    }

    private JavaProcess launch(String name, String main, FlinkMemory memory, List<String> args) {
        Path log = home.resolve("log").resolve(name + ".log");
        List<String> jvm = new ArrayList<>(memory.jvmArgs());
        jvm.addAll(JAVA_17_OPENS);
        jvm.add("-Dlog.file=" + log);
        jvm.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        return JavaProcess.start(
                name,
                JavaProcess.command(jvm, classpath, main, args),
                home.resolve("log").resolve(name + ".out"),
                Map.of());
    }

    /**
     * Kills TaskManager {@code tm} with SIGKILL, like a lost machine, and forgets it; the
     * JobManager notices through missed heartbeats.
     */
    public synchronized void killTaskManager(JavaProcess tm) {
        tm.kill();
        taskManagers.remove(tm);
        processes.remove(tm);
    }

    public JavaProcess jobManager() {
        return jobManager;
    }

    /** The TaskManagers started and not killed, oldest first. */
    public synchronized List<JavaProcess> taskManagers() {
        return List.copyOf(taskManagers);
    }

    public FlinkClusterConfig config() {
        return config;
    }

    public Path confDir() {
        return confDir;
    }

    public String restUrl() {
        return config.restUrl();
    }

    /**
     * Waits until the cluster has {@code taskManagers} registered TaskManagers and {@code
     * freeSlots} free slots ({@code GET /overview}). Fails early when the JobManager died.
     */
    public void awaitSlots(int taskManagers, int freeSlots, Duration timeout)
            throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException(
                        "the JobManager died; see "
                                + jobManager.logFile()
                                + " and "
                                + home.resolve("log"));
            }
            Optional<JsonNode> overview = get("/overview");
            if (overview.isPresent()) {
                JsonNode o = overview.get();
                last = o.toString();
                if (o.path("taskmanagers").asInt() >= taskManagers
                        && o.path("slots-available").asInt() >= freeSlots) {
                    LOG.info(
                            "Flink cluster at {} ready: {} ({} ms)",
                            restUrl(),
                            last,
                            Duration.ofNanos(System.nanoTime() - started).toMillis());
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "Flink cluster at " + restUrl() + " not ready after " + timeout + ": " + last);
    }

    /**
     * {@code GET path} on the REST API, empty when it does not answer (yet) or answers an error.
     */
    public Optional<JsonNode> get(String path) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(restUrl() + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Stops the TaskManagers, then the JobManager (SIGTERM: Flink shuts down cleanly). */
    @Override
    public void close() {
        for (JavaProcess tm : taskManagers()) {
            tm.stop(Duration.ofSeconds(20));
            processes.remove(tm);
        }
        if (jobManager != null) {
            jobManager.stop(Duration.ofSeconds(20));
            processes.remove(jobManager);
        }
    }
}
