package io.streamlip.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one), started in this JVM from
 * the Maven artifacts. Used by the tests and by {@code streamlip demo}; production points the
 * pipeline at any Kafka cluster instead.
 *
 * <p>Every listener binds 127.0.0.1 on a free port. Replication factors of the internal topics are
 * 1, so transactions (the jobs' exactly-once sinks) work on one node.
 *
 * <p>Only {@code app} (the demo), {@code bench} (the datapath benchmark) and tests depend on this
 * module, so no job or trainer jar carries a broker.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /**
     * Largest record the broker accepts: the pipeline's record limit ({@code
     * io.streamlip.platform.kafka.PipelineTopics.MAX_MESSAGE_BYTES}, which the platform's {@code
     * KafkaBrokerTest} holds equal). This module does not depend on the platform, so that the
     * platform's tests can start this broker.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /** The node id of the broker and controller. */
    private static final int NODE_ID = 1;

    /**
     * The starts of the names of this broker's KRaft control plane threads: the controller's event
     * loop, its Raft log, the metadata loader, and the broker's registration with and heartbeats to
     * the controller. They use little CPU, but when they wait seconds for it the broker's
     * heartbeats time out (a broker the controller then fences answers {@code
     * NOT_LEADER_OR_FOLLOWER}); the demo keeps them out of {@code SCHED_IDLE}. The controller's
     * requests go through {@link #REQUEST_THREAD_PREFIX}'s threads.
     */
    public static final List<String> CONTROL_PLANE_THREAD_PREFIXES =
            List.of(
                    "quorum-controller-" + NODE_ID + "-",
                    "kafka-" + NODE_ID + "-raft-",
                    "raft-",
                    "kafka-" + NODE_ID + "-metadata-loader-",
                    "broker-" + NODE_ID + "-to-controller-",
                    "broker-" + NODE_ID + "-lifecycle-",
                    "controller-" + NODE_ID + "-");

    /**
     * The start of the names of the broker's network and request-handler threads: every request
     * passes them, the clients' fetches and produces and the controller's heartbeats alike.
     */
    public static final String REQUEST_THREAD_PREFIX = "data-plane-kafka-";

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private KafkaRaftServer server;

    private KafkaBroker(Path dataDir, boolean deleteOnClose, int port) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
    }

    /** Starts a broker whose log lives in a fresh temporary folder, deleted on {@link #close()}. */
    public static KafkaBroker startTemporary() {
        try {
            return start(Files.createTempDirectory("streamlip-kafka-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker with its log in {@code dataDir}: a new or empty folder is formatted first; a
     * folder an earlier broker of this class formatted (and kept, {@code deleteOnClose=false}) is
     * reopened with its cluster id, topics and records, on fresh ports.
     *
     * @param deleteOnClose whether {@link #close()} removes the folder
     */
    public static KafkaBroker start(Path dataDir, boolean deleteOnClose) {
        KafkaBroker broker = new KafkaBroker(dataDir, deleteOnClose, freePort());
        broker.startServer();
        return broker;
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * The settings of a single-node KRaft broker and controller on loopback, storing in {@code
     * dataDir}: this embedded broker's, and those of the broker process of {@code deploy}.
     */
    public static Properties serverProperties(Path dataDir, int port, int controllerPort) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("log").toString());
        props.put("metadata.log.dir", dataDir.resolve("meta").toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        return props;
    }

    private void startServer() {
        long started = System.nanoTime();
        int controllerPort = freePort();
        Properties props = serverProperties(dataDir, port, controllerPort);

        Path config = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (var out = Files.newBufferedWriter(config)) {
                props.store(out, "streamlip embedded broker");
            }
            if (!isFormatted(dataDir)) {
                format(config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare broker folder " + dataDir, e);
        }

        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
        LOG.info(
                "Kafka broker ready at {} (log in {}, {} ms)",
                bootstrapServers(),
                dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Whether {@code dataDir} already holds formatted storage: reformatting would give it another
     * cluster id, which the log directory's {@code meta.properties} refuses.
     */
    static boolean isFormatted(Path dataDir) {
        return Files.isRegularFile(dataDir.resolve("meta").resolve("meta.properties"))
                && Files.isRegularFile(dataDir.resolve("log").resolve("meta.properties"));
    }

    private static void format(Path config) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            rc =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                config.toString(),
                                "--standalone",
                                "--ignore-formatted"
                            },
                            out);
        }
        if (rc != 0) {
            throw new IllegalStateException(
                    "formatting Kafka storage failed (exit "
                            + rc
                            + "): "
                            + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    last = new IllegalStateException(e);
                    sleep(200);
                }
            }
        }
        throw new IllegalStateException(
                "Kafka broker at " + bootstrapServers() + " not ready after " + timeout, last);
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        15_000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        5_000));
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("Kafka broker at {} stopped", bootstrapServers());
        }
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!FileUtils.deleteQuietly(dir.toFile()) && Files.exists(dir)) {
            LOG.warn("could not delete {}", dir);
        }
    }
}
