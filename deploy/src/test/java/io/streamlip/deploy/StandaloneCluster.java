package io.streamlip.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.app.FlinkRestClient;
import io.streamlip.platform.kafka.KafkaClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes the cluster integration tests run against, started once per test run: a Kafka
 * broker process and a standalone Flink session cluster of a JobManager and {@value #TASK_MANAGERS}
 * TaskManagers of {@value #SLOTS} slots, spread-out slot allocation, a 10 s heartbeat timeout,
 * Flink's Prometheus reporter on a free port range, and DJL's offline settings with one libtorch
 * thread on each TaskManager (for the live model's scorer).
 *
 * <p>{@link #shared} starts it for the first test class that asks and keeps it in JUnit's root
 * store, which closes it when the run ends, whether tests failed or not ({@link ProcessGroup}'s
 * shutdown hook stops the processes if the JVM ends first). The classes take turns, one at a time:
 * {@link PipelineOnCluster} gives each its own topic prefix and folder, brings the cluster back to
 * {@link #awaitIdle idle} before it, and cancels its jobs after it.
 */
final class StandaloneCluster implements AutoCloseable {
    /** Set to true to keep the cluster's data and checkpoints after the run, not only its logs. */
    static final String KEEP_FILES_PROPERTY = "streamlip.cluster.keep-files";

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);

    static final int TASK_MANAGERS = 2;
    static final int SLOTS = 4;

    /** Ports for the reporters: the JobManager, the TaskManagers and room for replacements. */
    static final int PROMETHEUS_RANGE = 6;

    /** How long any one wait of the cluster tests lasts before it fails. */
    static final Duration WAIT = Duration.ofSeconds(240);

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(StandaloneCluster.class);

    private static final Set<String> TERMINAL = Set.of("FINISHED", "CANCELED", "FAILED");

    private final ProcessGroup processes;
    private final Path home;
    private final LoopbackPorts ports;
    private final int prometheusFirstPort;
    private FlinkCluster flink;
    private KafkaBrokerProcess broker;
    private KafkaClients kafka;
    private FlinkRestClient rest;

    private StandaloneCluster(ProcessGroup processes, Path home, LoopbackPorts ports) {
        this.processes = processes;
        this.home = home;
        this.ports = ports;
        this.prometheusFirstPort = ports.freeRange(PROMETHEUS_RANGE);
    }

    /** The cluster of this test run, started by the first caller. */
    static StandaloneCluster shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        StandaloneCluster.class, key -> start(), StandaloneCluster.class);
    }

    private static StandaloneCluster start() {
        ProcessGroup processes = new ProcessGroup();
        try {
            Path home = Files.createTempDirectory("streamlip-cluster-it-");
            StandaloneCluster cluster =
                    new StandaloneCluster(processes, home, LoopbackPorts.belowEphemeralRange());
            cluster.startProcesses();
            return cluster;
        } catch (IOException e) {
            processes.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            processes.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the cluster", e);
        } catch (RuntimeException | Error e) {
            processes.close();
            throw e;
        }
    }

    private void startProcesses() throws InterruptedException {
        List<String> taskManagerJvm =
                new ArrayList<>(
                        FlinkClusterConfig.djlOffline(
                                Path.of(System.getProperty("streamlip.djl.cache"))));
        // One libtorch thread per scorer: each slot that scores runs its own.
        taskManagerJvm.addAll(
                List.of(
                        "-Dai.djl.pytorch.num_threads=1",
                        "-Dai.djl.pytorch.num_interop_threads=1"));
        long started = System.nanoTime();
        FlinkClusterConfig config =
                FlinkClusterConfig.builder()
                        .home(home.resolve("flink"))
                        .rpcPort(ports.free())
                        .restPort(ports.free())
                        .blobPort(ports.free())
                        .slotsPerTaskManager(SLOTS)
                        .heartbeatTimeout(Duration.ofSeconds(10))
                        .prometheusPorts(
                                prometheusFirstPort
                                        + "-"
                                        + (prometheusFirstPort + PROMETHEUS_RANGE - 1))
                        .taskManagerJvmOptions(taskManagerJvm)
                        .build();
        // The JobManager first (start() waits for it), then TaskManagers and broker side by side.
        flink =
                FlinkCluster.start(
                        config,
                        home.resolve("flink"),
                        classpath("streamlip.flink.classpath"),
                        TASK_MANAGERS,
                        processes);
        broker =
                KafkaBrokerProcess.start(
                        home.resolve("kafka"),
                        classpath("streamlip.tools.classpath"),
                        ports.free(),
                        ports.free(),
                        "512m",
                        processes);
        kafka = KafkaClients.of(broker.bootstrapServers());
        flink.awaitSlots(TASK_MANAGERS, TASK_MANAGERS * SLOTS, WAIT);
        rest = new FlinkRestClient(flink.restUrl(), Duration.ofMinutes(2));
        LOG.info(
                "FIGURE cluster start (broker + JobManager + {} TaskManagers): {} ms",
                TASK_MANAGERS,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Brings the cluster back to how it started, for the next test class: the broker running, as
     * many TaskManagers as at the start (a test may have killed one), and every slot free.
     */
    void awaitIdle() throws InterruptedException {
        if (!broker.process().isAlive()) {
            LOG.warn("the broker is down: starting it again");
            broker.restart();
        }
        for (int i = flink.taskManagers().size(); i < TASK_MANAGERS; i++) {
            LOG.info("starting a TaskManager in place of one a test killed");
            flink.startTaskManager();
        }
        flink.awaitSlots(TASK_MANAGERS, TASK_MANAGERS * SLOTS, WAIT);
    }

    /** Cancels every job that has not ended and waits until each has. */
    void cancelAllJobs() throws IOException, InterruptedException {
        List<String> cancelled = new ArrayList<>();
        for (JsonNode job : rest.jobs().path("jobs")) {
            if (!TERMINAL.contains(job.path("state").asText())) {
                String id = job.path("jid").asText();
                rest.cancel(id);
                cancelled.add(id);
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (String id : cancelled) {
            while (!TERMINAL.contains(rest.jobState(id)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        LOG.info("cancelled jobs {}", cancelled);
    }

    ProcessGroup processes() {
        return processes;
    }

    /** The run's folder; the cluster's own files are under {@code flink/} and {@code kafka/}. */
    Path home() {
        return home;
    }

    FlinkCluster flink() {
        return flink;
    }

    KafkaBrokerProcess broker() {
        return broker;
    }

    KafkaClients kafka() {
        return kafka;
    }

    FlinkRestClient rest() {
        return rest;
    }

    /** The first port of the Prometheus reporters' range of {@value #PROMETHEUS_RANGE}. */
    int prometheusFirstPort() {
        return prometheusFirstPort;
    }

    /** The classpath in the file that system property {@code property} names. */
    static String classpath(String property) {
        String file = System.getProperty(property);
        if (file == null) {
            throw new IllegalStateException(
                    "system property "
                            + property
                            + " is not set (the deploy module's failsafe"
                            + " sets it)");
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (build with -am)", e);
        }
    }

    /** Stops every process, newest first; the files stay. */
    @Override
    public void close() {
        processes.close();
        if (Boolean.getBoolean(KEEP_FILES_PROPERTY)) {
            LOG.info("cluster stopped; its files (logs, checkpoints) are kept in {}", home);
            return;
        }
        // Its broker's log and the jobs' checkpoints take 1-2 GB a run: a machine that runs the
        // tests often would fill its disk. The processes' logs stay for a failure's post-mortem.
        long deleted = deleteAllButLogs(home);
        LOG.info(
                "cluster stopped; its logs are kept in {} ({} MiB of data and checkpoints deleted;"
                        + " -D{}=true keeps everything)",
                home,
                deleted >> 20,
                KEEP_FILES_PROPERTY);
    }

    /**
     * Deletes every file below {@code root} but the processes' logs (the Flink processes' {@code
     * log} folder, the broker's {@code broker.log}), then the folders left empty; the bytes
     * deleted.
     */
    static long deleteAllButLogs(Path root) {
        long[] bytes = {0};
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            List<Path> deepestFirst = paths.sorted(java.util.Comparator.reverseOrder()).toList();
            for (Path path : deepestFirst) {
                if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (java.util.stream.Stream<Path> left = Files.list(path)) {
                        if (left.findAny().isEmpty() && !path.equals(root)) {
                            Files.delete(path);
                        }
                    }
                } else if (!isLog(root.relativize(path))) {
                    bytes[0] += Files.size(path);
                    Files.delete(path);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not delete the cluster's files in {}: {}", root, e.toString());
        }
        return bytes[0];
    }

    private static boolean isLog(Path relative) {
        // Not every *.log, nor the broker's "log" folder: those are its data segments.
        return relative.startsWith(Path.of("flink", "log"))
                || relative.equals(Path.of("kafka", "broker.log"));
    }
}
