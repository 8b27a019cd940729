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
import java.util.TreeMap;
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

    /**
     * Pekko's classic remoting gives its start-up 10 s ({@code
     * pekko.remote.classic.startup-timeout}) and Flink's {@code pekko.startup-timeout} does not
     * reach it; on a loaded machine JobManagers and TaskManagers exited with "Could not create
     * actor system". Flink builds Pekko's configuration over {@code ConfigFactory.load}, which
     * takes system properties, so this flag raises it.
     */
    public static final String PEKKO_REMOTE_STARTUP_TIMEOUT =
            "-Dpekko.remote.classic.startup-timeout=120s";

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
     * taskManagers} TaskManagers; waits for the JobManager to answer, not for the TaskManagers (see
     * {@link #awaitSlots}).
     *
     * @param classpath the cluster's classpath (deploy/flink-cluster's {@code classpath.txt})
     */
    public static FlinkCluster start(
            FlinkClusterConfig config,
            Path home,
            String classpath,
            int taskManagers,
            ProcessGroup processes)
            throws InterruptedException {
        FlinkCluster cluster = new FlinkCluster(config, home, classpath, processes);
        cluster.startJobManager();
        // The JobManager first, alone: on a loaded machine a JVM whose RPC system cannot come up
        // within Pekko's fixed 10 s remoting start-up timeout exits, and starting every process at
        // once is what starves it.
        cluster.awaitJobManager(Duration.ofMinutes(5));
        for (int i = 0; i < taskManagers; i++) {
            cluster.startTaskManager();
        }
        return cluster;
    }

    /** Start attempts of one process before the cluster gives up (see {@link #awaitSlots}). */
    static final int START_ATTEMPTS = 3;

    private int jobManagerStarts;
    private int taskManagerReplacements;
    private FlinkMemory jobManagerMemory;
    private FlinkMemory taskManagerMemory;

    private void startJobManager() {
        if (++jobManagerStarts > START_ATTEMPTS) {
            throw new IllegalStateException(
                    "the JobManager exited "
                            + START_ATTEMPTS
                            + " times while starting; see "
                            + home.resolve("log").resolve("jobmanager.log"));
        }
        if (jobManager != null) {
            LOG.warn(
                    "the JobManager exited while starting (see {}): starting it again",
                    jobManager.logFile());
            processes.remove(jobManager);
        }
        if (jobManagerMemory == null) {
            jobManagerMemory =
                    FlinkMemory.compute(classpath, confDir, FlinkMemory.Role.JOB_MANAGER);
        }
        FlinkMemory memory = jobManagerMemory;
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(List.of("--executionMode", "cluster"));
        args.addAll(memory.dynamicProperties());
        jobManager = processes.add(launch("jobmanager", JOB_MANAGER_MAIN, memory, List.of(), args));
    }

    /** Starts one more TaskManager and returns it. */
    public synchronized JavaProcess startTaskManager() {
        if (taskManagerMemory == null) {
            taskManagerMemory =
                    FlinkMemory.compute(classpath, confDir, FlinkMemory.Role.TASK_MANAGER);
        }
        FlinkMemory memory = taskManagerMemory;
        String name = "taskmanager-" + (++taskManagersStarted);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(memory.dynamicProperties());
        // The process name is the TaskManager's resource id, so what the REST API says about a
        // TaskManager ("taskmanager-id") names the process that runs it.
        args.addAll(List.of("-D", RESOURCE_ID_KEY + "=" + name));
        JavaProcess tm =
                processes.add(
                        launch(
                                name,
                                TASK_MANAGER_MAIN,
                                memory,
                                config.taskManagerJvmOptions(),
                                args));
        taskManagers.add(tm);
        return tm;
    }

    /** Flink's {@code TaskManagerOptions.TASK_MANAGER_RESOURCE_ID}. */
    static final String RESOURCE_ID_KEY = "taskmanager.resource-id";

    /**
     * The running TaskManager whose resource id (as the REST API reports it) is {@code resourceId};
     * every TaskManager this cluster starts uses its process name as resource id.
     */
    public synchronized Optional<JavaProcess> taskManager(String resourceId) {
        return taskManagers.stream().filter(tm -> tm.name().equals(resourceId)).findFirst();
    }

    /**
     * How many tasks (subtasks) of job {@code jobId} each TaskManager runs now, by resource id
     * ({@code GET /jobs/:id} and {@code /jobs/:id/vertices/:vid/taskmanagers}); empty when the REST
     * API does not answer.
     */
    public Map<String, Integer> tasksPerTaskManager(String jobId) {
        Map<String, Integer> tasks = new TreeMap<>();
        Optional<JsonNode> job = get("/jobs/" + jobId);
        if (job.isEmpty()) {
            return tasks;
        }
        for (JsonNode vertex : job.get().path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            Optional<JsonNode> perTm = get(path + "/taskmanagers");
            if (perTm.isEmpty()) {
                return Map.of();
            }
            for (JsonNode tm : perTm.get().path("taskmanagers")) {
                int running = tm.path("status-counts").path("RUNNING").asInt();
                if (running > 0) {
                    tasks.merge(tm.path("taskmanager-id").asText(), running, Integer::sum);
                }
            }
        }
        return tasks;
    }

    private JavaProcess launch(
            String name,
            String main,
            FlinkMemory memory,
            List<String> jvmOptions,
            List<String> args) {
        Path log = home.resolve("log").resolve(name + ".log");
        List<String> jvm = new ArrayList<>(memory.jvmArgs());
        jvm.addAll(JAVA_17_OPENS);
        jvm.addAll(jvmOptions);
        jvm.add(PEKKO_REMOTE_STARTUP_TIMEOUT);
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
                startJobManager();
            }
            replaceExitedTaskManagers();
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

    /** Waits until the JobManager's REST API answers, starting it again if it exits meanwhile. */
    public void awaitJobManager(Duration timeout) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                startJobManager();
            }
            if (get("/overview").isPresent()) {
                LOG.info(
                        "JobManager at {} answers ({} ms)",
                        restUrl(),
                        Duration.ofNanos(System.nanoTime() - started).toMillis());
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "the JobManager at " + restUrl() + " did not answer within " + timeout);
    }

    /** A TaskManager that exited on its own while starting is replaced (a few times at most). */
    private synchronized void replaceExitedTaskManagers() {
        for (JavaProcess tm : List.copyOf(taskManagers)) {
            if (!tm.isAlive()) {
                if (++taskManagerReplacements > START_ATTEMPTS) {
                    throw new IllegalStateException(
                            "TaskManagers exited "
                                    + START_ATTEMPTS
                                    + " times while starting; see "
                                    + tm.logFile()
                                    + " and "
                                    + home.resolve("log"));
                }
                LOG.warn("{} exited while starting (see {}): replacing it", tm, tm.logFile());
                taskManagers.remove(tm);
                processes.remove(tm);
                startTaskManager();
            }
        }
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
