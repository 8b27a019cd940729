package io.streamlip.deploy;

import io.streamlip.broker.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft: broker and controller in one) as its own JVM, the way {@code
 * kafka-server-start.sh} runs one: {@code kafka.tools.StorageTool format} on a {@code
 * server.properties}, then {@code kafka.Kafka server.properties}. Listeners bind {@code 127.0.0.1};
 * internal topics have replication 1, so transactions (the jobs' exactly-once sinks) work on one
 * node. {@link #restart} starts it again on the same ports and log, like an operator restarting a
 * broker; clients reconnect by themselves.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);

    static final String MAIN = "kafka.Kafka";
    static final String STORAGE_TOOL = "kafka.tools.StorageTool";

    private final Path dataDir;
    private final String classpath;
    private final int port;
    private final ProcessGroup processes;
    private final List<String> jvmArgs;
    private JavaProcess process;
    private int starts;

    private KafkaBrokerProcess(
            Path dataDir,
            String classpath,
            int port,
            List<String> jvmArgs,
            ProcessGroup processes) {
        this.dataDir = dataDir.toAbsolutePath();
        this.classpath = classpath;
        this.port = port;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.processes = processes;
    }

    /**
     * Writes {@code dataDir/server.properties}, formats the storage and starts the broker; returns
     * once it answers.
     *
     * @param classpath a classpath with {@code org.apache.kafka:kafka_2.13} and a Log4j 2 binding
     * @param port the client port; the controller gets {@code controllerPort}
     * @param heap the broker's heap, e.g. {@code 512m}
     */
    public static KafkaBrokerProcess start(
            Path dataDir,
            String classpath,
            int port,
            int controllerPort,
            String heap,
            ProcessGroup processes) {
        KafkaBrokerProcess broker =
                new KafkaBrokerProcess(
                        dataDir,
                        classpath,
                        port,
                        List.of("-Xmx" + heap, "-Xms" + heap, "-XX:+UseG1GC"),
                        processes);
        Path config = broker.writeProperties(controllerPort);
        JavaProcess.run(
                "kafka-storage-format",
                JavaProcess.command(
                        List.of("-Xmx256m"),
                        classpath,
                        STORAGE_TOOL,
                        List.of(
                                "format",
                                "-t",
                                clusterId(),
                                "-c",
                                config.toString(),
                                "--standalone",
                                "--ignore-formatted")),
                Duration.ofMinutes(5));
        broker.startProcess();
        return broker;
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as Kafka's own). */
    static String clusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The broker's settings (also what {@code deploy/bin/start-kafka.sh} writes). */
    public static Properties serverProperties(Path dataDir, int port, int controllerPort) {
        return KafkaBroker.serverProperties(dataDir, port, controllerPort);
    }

    private Path writeProperties(int controllerPort) {
        Path config = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (Writer out = Files.newBufferedWriter(config)) {
                serverProperties(dataDir, port, controllerPort).store(out, "streamlip broker");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        return config;
    }

    private void startProcess() {
        long started = System.nanoTime();
        List<String> jvm = new ArrayList<>(jvmArgs);
        Path log = dataDir.resolve("broker.log");
        process =
                processes.add(
                        JavaProcess.start(
                                "kafka-broker" + (starts++ == 0 ? "" : "-" + starts),
                                JavaProcess.command(
                                        jvm,
                                        classpath,
                                        MAIN,
                                        List.of(dataDir.resolve("server.properties").toString())),
                                log,
                                Map.of()));
        awaitReady(Duration.ofMinutes(5));
        LOG.info(
                "Kafka broker ready at {} ({} ms)",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the Kafka broker exited; see " + process.logFile());
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    last = e;
                    sleep(300);
                }
            }
        }
        throw new IllegalStateException(
                "Kafka broker at " + bootstrapServers() + " not ready after " + timeout, last);
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public JavaProcess process() {
        return process;
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

    /** Stops the broker gracefully (SIGTERM: controlled shutdown, logs flushed). */
    public void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(60));
            processes.remove(process);
        }
    }

    /**
     * Stops the broker, then starts it again on the same ports and log; returns once it answers.
     */
    public void restart() {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }
}
