package io.streamlip.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of a standalone Flink session cluster, written as the {@code config.yaml} (and
 * {@code log4j.properties}) of a configuration folder that the JobManager, the TaskManagers and
 * {@link FlinkMemory} read, exactly like flink-dist's {@code conf/}. RocksDB with incremental,
 * retained checkpoints; restarts never give up ({@link #EXPONENTIAL_RESTARTS}); a job's own
 * settings win over these. Each component's comment gives its default; the why is in
 * docs/decisions/flink-settings.md.
 */
public record FlinkClusterConfig(
        // address every endpoint binds and advertises; default 127.0.0.1
        String bindHost,
        // JobManager RPC port; default 6123
        int rpcPort,
        // REST API and web UI; default 8081
        int restPort,
        // JobManager blob server; default 6124
        int blobPort,
        // task slots of each TaskManager; default 4
        int slotsPerTaskManager,
        // jobmanager.memory.process.size; default 1024m
        String jobManagerMemory,
        // taskmanager.memory.process.size; default 2560m (Lingua needs the heap)
        String taskManagerMemory,
        // default checkpoint folder URI
        String checkpointDir,
        // default savepoint folder URI
        String savepointDir,
        // io.tmp.dirs: RocksDB's working files and spilled data
        Path tmpDir,
        // before a silent TaskManager is lost; default 15 s (Flink's own: 50 s)
        Duration heartbeatTimeout,
        // Prometheus reporter port range ("9249-9259"); default null (off: it binds
        //     all interfaces)
        String prometheusPorts,
        // further JVM options of each TaskManager (env.java.opts.taskmanager), e.g.
        //     djlOffline(...) for the live model's scorer; default none
        List<String> taskManagerJvmOptions,
        // further config.yaml entries, winning over the ones above
        Map<String, String> extra) {

    /** Flink's Prometheus reporter factory (flink-metrics-prometheus, on the cluster classpath). */
    public static final String PROMETHEUS_REPORTER_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    /**
     * The restart strategy of the cluster's jobs, as the pipeline jobs set it themselves ({@code
     * RestartPolicy.exponential()}): exponential-delay, 1 s doubling by 1.5 up to 1 min, reset
     * after 1 h without failure, 10 % jitter, and no cap on attempts.
     */
    public static final Map<String, String> EXPONENTIAL_RESTARTS =
            orderedMap(
                    "restart-strategy.type",
                    "exponential-delay",
                    "restart-strategy.exponential-delay.initial-backoff",
                    "1 s",
                    "restart-strategy.exponential-delay.max-backoff",
                    "1 min",
                    "restart-strategy.exponential-delay.backoff-multiplier",
                    "1.5",
                    "restart-strategy.exponential-delay.reset-backoff-threshold",
                    "1 h",
                    "restart-strategy.exponential-delay.jitter-factor",
                    "0.1",
                    "restart-strategy.exponential-delay.attempts-before-reset-backoff",
                    Integer.toString(Integer.MAX_VALUE));

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    public FlinkClusterConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        if (slotsPerTaskManager < 1) {
            throw new IllegalArgumentException(
                    "slotsPerTaskManager must be at least 1, got " + slotsPerTaskManager);
        }
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        Objects.requireNonNull(savepointDir, "savepointDir");
        Objects.requireNonNull(tmpDir, "tmpDir");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        if (prometheusPorts != null && !prometheusPorts.matches("\\d+(-\\d+)?")) {
            throw new IllegalArgumentException(
                    "prometheusPorts must be a port or a range like 9249-9259, got "
                            + prometheusPorts);
        }
        taskManagerJvmOptions = List.copyOf(taskManagerJvmOptions);
        for (String option : taskManagerJvmOptions) {
            if (option.isBlank() || option.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        "taskManagerJvmOptions: one option per element, without spaces, got '"
                                + option
                                + "'");
            }
        }
        extra = Map.copyOf(extra);
    }

    /**
     * The JVM options a TaskManager needs to run the live model's scorer (DJL's PyTorch engine from
     * the {@code jobs-scorer} jar) without a network: DJL offline, and {@code cacheDir} as DJL's
     * and the engine's cache, into which DJL unpacks the CPU libtorch the first time.
     */
    public static List<String> djlOffline(Path cacheDir) {
        String dir = cacheDir.toAbsolutePath().toString();
        return List.of(
                "-Dai.djl.offline=true", "-DDJL_CACHE_DIR=" + dir, "-DENGINE_CACHE_DIR=" + dir);
    }

    /**
     * The documented defaults, with checkpoints, savepoints and temporary files under {@code home}.
     */
    public static FlinkClusterConfig defaults(Path home) {
        return builder().home(home).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link FlinkClusterConfig}; each setting starts at its default and is named as its
     * component; the folders have none: set them, or {@link #home}.
     */
    public static final class Builder {
        private String bindHost = "127.0.0.1";
        private int rpcPort = 6123;
        private int restPort = 8081;
        private int blobPort = 6124;
        private int slotsPerTaskManager = 4;
        private String jobManagerMemory = "1024m";
        private String taskManagerMemory = "2560m";
        private String checkpointDir;
        private String savepointDir;
        private Path tmpDir;
        private Duration heartbeatTimeout = Duration.ofSeconds(15);
        private String prometheusPorts = null;
        private List<String> taskManagerJvmOptions = List.of();
        private Map<String, String> extra = Map.of();

        private Builder() {}

        private Builder(FlinkClusterConfig c) {
            bindHost = c.bindHost;
            rpcPort = c.rpcPort;
            restPort = c.restPort;
            blobPort = c.blobPort;
            slotsPerTaskManager = c.slotsPerTaskManager;
            jobManagerMemory = c.jobManagerMemory;
            taskManagerMemory = c.taskManagerMemory;
            checkpointDir = c.checkpointDir;
            savepointDir = c.savepointDir;
            tmpDir = c.tmpDir;
            heartbeatTimeout = c.heartbeatTimeout;
            prometheusPorts = c.prometheusPorts;
            taskManagerJvmOptions = c.taskManagerJvmOptions;
            extra = c.extra;
        }

        public Builder bindHost(String value) {
            bindHost = value;
            return this;
        }

        public Builder rpcPort(int value) {
            rpcPort = value;
            return this;
        }

        public Builder restPort(int value) {
            restPort = value;
            return this;
        }

        public Builder blobPort(int value) {
            blobPort = value;
            return this;
        }

        public Builder slotsPerTaskManager(int value) {
            slotsPerTaskManager = value;
            return this;
        }

        public Builder jobManagerMemory(String value) {
            jobManagerMemory = value;
            return this;
        }

        public Builder taskManagerMemory(String value) {
            taskManagerMemory = value;
            return this;
        }

        public Builder checkpointDir(String value) {
            checkpointDir = value;
            return this;
        }

        public Builder savepointDir(String value) {
            savepointDir = value;
            return this;
        }

        public Builder tmpDir(Path value) {
            tmpDir = value;
            return this;
        }

        public Builder heartbeatTimeout(Duration value) {
            heartbeatTimeout = value;
            return this;
        }

        public Builder prometheusPorts(String value) {
            prometheusPorts = value;
            return this;
        }

        public Builder taskManagerJvmOptions(List<String> value) {
            taskManagerJvmOptions = value;
            return this;
        }

        public Builder extra(Map<String, String> value) {
            extra = value;
            return this;
        }

        /**
         * Puts checkpoints, savepoints and temporary files under {@code home} ({@code
         * checkpoints/}, {@code savepoints/}, {@code tmp/}).
         */
        public Builder home(Path home) {
            Path abs = home.toAbsolutePath();
            checkpointDir = abs.resolve("checkpoints").toUri().toString();
            savepointDir = abs.resolve("savepoints").toUri().toString();
            tmpDir = abs.resolve("tmp");
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public FlinkClusterConfig build() {
            return new FlinkClusterConfig(
                    bindHost,
                    rpcPort,
                    restPort,
                    blobPort,
                    slotsPerTaskManager,
                    jobManagerMemory,
                    taskManagerMemory,
                    checkpointDir,
                    savepointDir,
                    tmpDir,
                    heartbeatTimeout,
                    prometheusPorts,
                    taskManagerJvmOptions,
                    extra);
        }
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:8081}. */
    public String restUrl() {
        return "http://" + bindHost + ":" + restPort;
    }

    /** Every {@code config.yaml} entry, in a stable order. */
    public Map<String, String> entries() {
        Map<String, String> c = new LinkedHashMap<>();
        // Where everything listens: one address, loopback unless told otherwise.
        c.put("jobmanager.rpc.address", bindHost);
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", bindHost);
        c.put("rest.address", bindHost);
        c.put("rest.bind-address", bindHost);
        c.put("rest.port", Integer.toString(restPort));
        c.put("blob.server.port", Integer.toString(blobPort));
        c.put("taskmanager.host", bindHost);
        c.put("taskmanager.bind-host", bindHost);
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("metrics.internal.query-service.port", "0");

        c.put("jobmanager.memory.process.size", jobManagerMemory);
        c.put("taskmanager.memory.process.size", taskManagerMemory);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(slotsPerTaskManager));
        // Spread a job's tasks over the TaskManagers, so losing one does not lose everything.
        // (Flink 1.x's cluster.evenly-spread-out-slots is gone in 2.x: Flink ignores it.)
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("parallelism.default", "1");

        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.dir", checkpointDir);
        c.put("execution.checkpointing.savepoint-dir", savepointDir);
        c.put("execution.checkpointing.interval", "5 s");
        c.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        c.put("execution.checkpointing.num-retained", "3");
        // A cancelled job keeps its checkpoints: resubmit it from the newest (--from-checkpoint).
        c.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        c.put("io.tmp.dirs", tmpDir.toString());

        // Restarts never give up, with backoff (the pipeline jobs set the same themselves).
        c.putAll(EXPONENTIAL_RESTARTS);

        // Patience for slow or shared machines: under heavy load the RPC system of a starting
        // JobManager took longer than Pekko's 10 s default to come up (and the process gave up).
        c.put("pekko.startup-timeout", "120 s");
        c.put("pekko.ask.timeout", "60 s");
        c.put("pekko.tcp.timeout", "60 s");
        c.put("heartbeat.interval", Long.toString(Math.max(500, heartbeatTimeout.toMillis() / 5)));
        c.put("heartbeat.timeout", Long.toString(heartbeatTimeout.toMillis()));

        if (prometheusPorts != null) {
            // Opt-in: the reporter binds all interfaces (it has no host option in Flink 2.2).
            c.put("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER_FACTORY);
            c.put("metrics.reporter.prom.port", prometheusPorts);
        }

        // The job jars bundle Kafka, Avro and Jackson: resolve them from the job's jar first.
        c.put("classloader.resolve-order", "child-first");
        // flink-dist's env.java.opts.all: Flink needs these on Java 17.
        c.put("env.java.opts.all", String.join(" ", FlinkCluster.JAVA_17_OPENS));
        if (!taskManagerJvmOptions.isEmpty()) {
            // What flink-dist's taskmanager.sh would add; the Java launcher passes them itself.
            c.put("env.java.opts.taskmanager", String.join(" ", taskManagerJvmOptions));
        }
        c.putAll(extra);
        return c;
    }

    /**
     * Writes {@code config.yaml} and {@code log4j.properties} into {@code confDir} (created if
     * needed) and returns it.
     */
    public Path write(Path confDir) {
        StringBuilder yaml = new StringBuilder();
        yaml.append(
                "# Written by streamlip's FlinkClusterConfig; flat keys, Flink 2.x config.yaml.\n");
        entries().forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(tmpDir);
            Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
            Files.writeString(confDir.resolve("log4j.properties"), LOG4J, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Flink configuration to " + confDir, e);
        }
        return confDir;
    }

    /** A YAML single-quoted scalar: every value stays a string, as Flink expects. */
    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * The cluster processes' logging: one file per process ({@code -Dlog.file}), like flink-dist.
     */
    static final String LOG4J =
            """
            # Each Flink process logs to the file given by -Dlog.file (flink-dist's layout).
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            appender.main.name = MainAppender
            appender.main.type = File
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            # Kafka client metrics registered twice under Flink's metric groups: noise.
            logger.metricgroup.name = org.apache.flink.metrics.MetricGroup
            logger.metricgroup.level = ERROR
            logger.pekko.name = org.apache.pekko
            logger.pekko.level = WARN
            """;
}
