package io.streamlip.platform.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {

    @Test
    void inProcessConfigurationCarriesRocksDbRetainedCheckpointsAndBoundedRestarts() {
        JobSettings settings =
                JobSettings.defaults(Path.of("/tmp/cp")).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        Configuration conf = JobEnvironment.configuration(settings);
        var map = conf.toMap();
        assertThat(map)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
                .containsEntry("execution.checkpointing.dir", "file:///tmp/cp")
                .containsEntry("execution.checkpointing.interval", "500 ms")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("restart-strategy.fixed-delay.attempts", "2")
                .containsEntry("restart-strategy.fixed-delay.delay", "1 s")
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION")
                .containsEntry("parallelism.default", "2")
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("pipeline.object-reuse", "true");
    }

    @Test
    void aJobOnAClusterRestartsForeverWithBackoffAndKeepsItsCheckpoints() {
        JobSettings settings =
                JobArguments.parse(new String[] {"--bootstrap", "k:1", "--checkpoint-dir", "/cp"})
                        .settings();
        var map = JobEnvironment.configuration(settings).toMap();
        assertThat(map)
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("restart-strategy.exponential-delay.initial-backoff", "1 s")
                .containsEntry("restart-strategy.exponential-delay.max-backoff", "1 min")
                .containsEntry("restart-strategy.exponential-delay.backoff-multiplier", "1.5")
                .containsEntry("restart-strategy.exponential-delay.reset-backoff-threshold", "1 h")
                .containsEntry("restart-strategy.exponential-delay.jitter-factor", "0.1")
                .containsEntry(
                        "restart-strategy.exponential-delay.attempts-before-reset-backoff",
                        Integer.toString(Integer.MAX_VALUE))
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION")
                .containsEntry("execution.checkpointing.num-retained", "3")
                .doesNotContainKey("restart-strategy.fixed-delay.attempts");
    }

    @Test
    void createdEnvironmentHasTheSettingsAndQuietMetricGroups() {
        var env =
                JobEnvironment.create(
                        JobSettings.defaults(Path.of("/tmp/cp")).toBuilder()
                                .parallelism(3)
                                .build());
        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getCheckpointInterval()).isEqualTo(5000);
        assertThat(LogManager.getLogger(JobEnvironment.METRIC_GROUP_LOGGER).isWarnEnabled())
                .isFalse();
    }

    @Test
    void settingsRefuseNonsense() {
        assertThatThrownBy(
                        () -> JobSettings.defaults(Path.of("x")).toBuilder().parallelism(0).build())
                .hasMessageContaining("parallelism must be at least 1");
        assertThatThrownBy(
                        () ->
                                JobSettings.defaults(Path.of("x")).toBuilder()
                                        .checkpointInterval(Duration.ofMillis(1))
                                        .build())
                .hasMessageContaining("checkpointInterval");
        assertThatThrownBy(
                        () ->
                                new RestartPolicy.Exponential(
                                        Duration.ofSeconds(10),
                                        Duration.ofSeconds(1),
                                        2,
                                        Duration.ofHours(1),
                                        0.1))
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> RestartPolicy.fixed(-1, Duration.ZERO))
                .hasMessageContaining("must not be negative");
    }
}
