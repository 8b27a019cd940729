package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The cluster configuration the launchers and the scripts write. */
class FlinkClusterConfigTest {

    @Test
    void writesAConfigYamlWithEveryEndpointOnLoopbackAndRocksDbState(@TempDir Path dir)
            throws IOException {
        FlinkClusterConfig config =
                FlinkClusterConfig.builder()
                        .home(dir)
                        .rpcPort(16123)
                        .restPort(18081)
                        .blobPort(16124)
                        .heartbeatTimeout(Duration.ofSeconds(8))
                        .build();
        Path conf = config.write(dir.resolve("conf"));

        Map<String, Object> yaml = load(conf.resolve("config.yaml"));
        assertThat(yaml.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
        assertThat(yaml)
                .containsEntry("rest.port", "18081")
                .containsEntry("jobmanager.rpc.port", "16123")
                .containsEntry("blob.server.port", "16124")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("heartbeat.timeout", "8000")
                .containsEntry(
                        "execution.checkpointing.dir",
                        dir.toAbsolutePath().resolve("checkpoints").toUri().toString())
                .containsKey("execution.checkpointing.savepoint-dir")
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION")
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry(
                        "restart-strategy.exponential-delay.attempts-before-reset-backoff",
                        "2147483647")
                .doesNotContainKey("restart-strategy.fixed-delay.attempts");
        yaml.forEach(
                (key, value) -> {
                    if (key.endsWith("address")
                            || key.endsWith("bind-host")
                            || key.endsWith(".host")) {
                        assertThat(value).as(key).isEqualTo("127.0.0.1");
                    }
                });
        assertThat(conf.resolve("log4j.properties")).content().contains("${sys:log.file}");
        assertThat(config.restUrl()).isEqualTo("http://127.0.0.1:18081");
    }

    @Test
    void extraEntriesWinAndQuotesSurvive(@TempDir Path dir) throws IOException {
        FlinkClusterConfig config =
                FlinkClusterConfig.builder()
                        .home(dir)
                        .extra(
                                Map.of(
                                        "taskmanager.numberOfTaskSlots",
                                        "1",
                                        "pipeline.name",
                                        "it's"))
                        .build();
        Map<String, Object> yaml = load(config.write(dir.resolve("conf")).resolve("config.yaml"));
        assertThat(yaml)
                .containsEntry("taskmanager.numberOfTaskSlots", "1")
                .containsEntry("pipeline.name", "it's");
    }

    @Test
    void theBuilderHasOneSetterPerComponentAndToBuilderKeepsEverything() throws Exception {
        FlinkClusterConfig config =
                FlinkClusterConfig.builder()
                        .bindHost("10.0.0.1")
                        .rpcPort(1)
                        .restPort(2)
                        .blobPort(3)
                        .slotsPerTaskManager(8)
                        .jobManagerMemory("2g")
                        .taskManagerMemory("4g")
                        .checkpointDir("file:///c")
                        .savepointDir("file:///s")
                        .tmpDir(Path.of("/t"))
                        .heartbeatTimeout(Duration.ofSeconds(30))
                        .prometheusPorts("9249")
                        .taskManagerJvmOptions(List.of("-Da=b"))
                        .extra(Map.of("a", "b"))
                        .build();
        assertThat(config.toBuilder().build()).isEqualTo(config);
        FlinkClusterConfig.Builder builder = FlinkClusterConfig.builder();
        for (RecordComponent c : FlinkClusterConfig.class.getRecordComponents()) {
            builder.getClass()
                    .getMethod(c.getName(), c.getType())
                    .invoke(builder, c.getAccessor().invoke(config));
        }
        assertThat(builder.build()).isEqualTo(config);
        assertThat(FlinkClusterConfig.builder().home(Path.of("/x")).build())
                .isEqualTo(FlinkClusterConfig.defaults(Path.of("/x")));
        assertThatThrownBy(() -> FlinkClusterConfig.builder().build())
                .hasMessageContaining("checkpointDir");
    }

    @Test
    void prometheusReporterIsOptInWithAPortRange(@TempDir Path dir) throws IOException {
        FlinkClusterConfig off = FlinkClusterConfig.defaults(dir);
        assertThat(off.entries()).doesNotContainKey("metrics.reporter.prom.factory.class");

        FlinkClusterConfig on = off.toBuilder().prometheusPorts("19249-19254").build();
        Map<String, Object> yaml = load(on.write(dir.resolve("conf")).resolve("config.yaml"));
        assertThat(yaml)
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        FlinkClusterConfig.PROMETHEUS_REPORTER_FACTORY)
                .containsEntry("metrics.reporter.prom.port", "19249-19254");
        assertThat(on.toBuilder().prometheusPorts(null).build().entries())
                .doesNotContainKey("metrics.reporter.prom.port");
        assertThatThrownBy(() -> off.toBuilder().prometheusPorts("9249..9259").build())
                .hasMessageContaining("prometheusPorts must be a port or a range");
    }

    @Test
    void taskManagerJvmOptionsAreWrittenAsFlinkDistsKeyOneOptionPerElement(@TempDir Path dir)
            throws IOException {
        FlinkClusterConfig off = FlinkClusterConfig.defaults(dir);
        assertThat(off.entries()).doesNotContainKey("env.java.opts.taskmanager");

        Path cache = dir.resolve("djl");
        FlinkClusterConfig on =
                off.toBuilder().taskManagerJvmOptions(FlinkClusterConfig.djlOffline(cache)).build();
        Map<String, Object> yaml = load(on.write(dir.resolve("conf")).resolve("config.yaml"));
        assertThat(yaml)
                .containsEntry(
                        "env.java.opts.taskmanager",
                        "-Dai.djl.offline=true -DDJL_CACHE_DIR="
                                + cache.toAbsolutePath()
                                + " -DENGINE_CACHE_DIR="
                                + cache.toAbsolutePath());
        assertThatThrownBy(
                        () -> off.toBuilder().taskManagerJvmOptions(List.of("-Da=b -Dc=d")).build())
                .hasMessageContaining("one option per element");
    }

    @Test
    void theScriptsConfigurationHasTheSameStateAndLoopbackSettings() throws IOException {
        Map<String, Object> scripts = load(Path.of("conf", "config.yaml"));
        Map<String, String> launcher = FlinkClusterConfig.defaults(Path.of("/x")).entries();
        for (String key :
                new String[] {
                    "jobmanager.rpc.address",
                    "jobmanager.bind-host",
                    "rest.address",
                    "rest.bind-address",
                    "taskmanager.host",
                    "taskmanager.bind-host",
                    "state.backend.type",
                    "taskmanager.numberOfTaskSlots",
                    "taskmanager.load-balance.mode",
                    "jobmanager.memory.process.size",
                    "taskmanager.memory.process.size",
                    "classloader.resolve-order",
                    "execution.checkpointing.num-retained",
                    "execution.checkpointing.externalized-checkpoint-retention"
                }) {
            assertThat(String.valueOf(scripts.get(key))).as(key).isEqualTo(launcher.get(key));
        }
        FlinkClusterConfig.EXPONENTIAL_RESTARTS.forEach(
                (key, value) ->
                        assertThat(String.valueOf(scripts.get(key))).as(key).isEqualTo(value));
        assertThat(scripts)
                .containsEntry("execution.checkpointing.dir", "file://@RUN_DIR@/checkpoints")
                .containsEntry(
                        "execution.checkpointing.savepoint-dir", "file://@RUN_DIR@/savepoints");
    }

    /**
     * Flink ignores a key it does not know: 1.x's {@code cluster.evenly-spread-out-slots}, gone in
     * 2.x, stood here and spread nothing. Every key the launcher and the scripts write must be an
     * option (or a fallback key) of Flink's own option classes, reporters' keys aside.
     */
    @Test
    void everyKeyWrittenIsAnOptionThisFlinkKnows(@TempDir Path dir) throws Exception {
        Set<String> known = flinkOptionKeys();
        assertThat(known).as("keys found in flink-core").contains("taskmanager.numberOfTaskSlots");
        FlinkClusterConfig config =
                FlinkClusterConfig.builder()
                        .home(dir)
                        .prometheusPorts("19249-19254")
                        .taskManagerJvmOptions(List.of("-Da=b"))
                        .build();
        Set<String> written = new TreeSet<>(config.entries().keySet());
        written.addAll(load(Path.of("conf", "config.yaml")).keySet());
        written.removeIf(key -> key.startsWith("metrics.reporter."));
        assertThat(written).isNotEmpty().allSatisfy(key -> assertThat(known).contains(key));
        assertThat(config.entries()).containsEntry("taskmanager.load-balance.mode", "SLOTS");
    }

    /**
     * The keys and fallback keys of every public {@code ConfigOption} constant of flink-core's
     * {@code org.apache.flink.configuration.*Options} classes.
     */
    static Set<String> flinkOptionKeys() throws Exception {
        Path jar =
                Path.of(
                        ConfigOption.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Set<String> keys = new TreeSet<>();
        try (JarFile classes = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(classes.entries())) {
                String name = entry.getName();
                if (!name.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class")) {
                    continue;
                }
                Class<?> type =
                        Class.forName(
                                name.substring(0, name.length() - ".class".length())
                                        .replace('/', '.'));
                if (!Modifier.isPublic(type.getModifiers())) {
                    continue;
                }
                for (Field field : type.getFields()) {
                    if (Modifier.isStatic(field.getModifiers())
                            && field.getType() == ConfigOption.class) {
                        ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                        keys.add(option.key());
                        option.fallbackKeys().forEach(k -> keys.add(k.getKey()));
                    }
                }
            }
        }
        return keys;
    }

    @Test
    void theClusterRestartsAndRetainsLikeThePipelineJobsDo() {
        Map<String, String> job =
                JobEnvironment.configuration(JobSettings.cluster("file:///cp")).toMap();
        assertThat(job)
                .containsAllEntriesOf(FlinkClusterConfig.EXPONENTIAL_RESTARTS)
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        FlinkClusterConfig.defaults(Path.of("/x"))
                                .entries()
                                .get("execution.checkpointing.externalized-checkpoint-retention"));
    }

    static Map<String, Object> load(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        }
    }
}
