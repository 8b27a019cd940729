package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
                FlinkClusterConfig.defaults(dir)
                        .withPorts(16123, 18081, 16124)
                        .withHeartbeatTimeout(Duration.ofSeconds(8));
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
        FlinkClusterConfig d = FlinkClusterConfig.defaults(dir);
        FlinkClusterConfig config =
                new FlinkClusterConfig(
                        d.bindHost(),
                        d.rpcPort(),
                        d.restPort(),
                        d.blobPort(),
                        d.slotsPerTaskManager(),
                        d.jobManagerMemory(),
                        d.taskManagerMemory(),
                        d.checkpointDir(),
                        d.savepointDir(),
                        d.tmpDir(),
                        d.heartbeatTimeout(),
                        null,
                        Map.of("taskmanager.numberOfTaskSlots", "1", "pipeline.name", "it's"));
        Map<String, Object> yaml = load(config.write(dir.resolve("conf")).resolve("config.yaml"));
        assertThat(yaml)
                .containsEntry("taskmanager.numberOfTaskSlots", "1")
                .containsEntry("pipeline.name", "it's");
    }

    @Test
    void prometheusReporterIsOptInWithAPortRange(@TempDir Path dir) throws IOException {
        FlinkClusterConfig off = FlinkClusterConfig.defaults(dir);
        assertThat(off.entries()).doesNotContainKey("metrics.reporter.prom.factory.class");

        FlinkClusterConfig on = off.withPrometheus("19249-19254");
        Map<String, Object> yaml = load(on.write(dir.resolve("conf")).resolve("config.yaml"));
        assertThat(yaml)
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        FlinkClusterConfig.PROMETHEUS_REPORTER_FACTORY)
                .containsEntry("metrics.reporter.prom.port", "19249-19254");
        assertThat(on.withPrometheus(null).entries())
                .doesNotContainKey("metrics.reporter.prom.port");
        assertThatThrownBy(() -> off.withPrometheus("9249..9259"))
                .hasMessageContaining("prometheusPorts must be a port or a range");
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
