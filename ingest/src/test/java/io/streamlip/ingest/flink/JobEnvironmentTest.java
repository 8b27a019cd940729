package io.streamlip.ingest.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {

    @Test
    void configurationCarriesRocksDbCheckpointsAndBoundedRestarts() {
        JobSettings settings =
                JobSettings.defaults(Path.of("/tmp/cp"))
                        .withParallelism(2)
                        .withCheckpointInterval(Duration.ofMillis(500));
        Configuration conf = JobEnvironment.configuration(settings);
        var map = conf.toMap();
        assertThat(map)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.dir", "file:///tmp/cp")
                .containsEntry("execution.checkpointing.interval", "500 ms")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("restart-strategy.fixed-delay.attempts", "2")
                .containsEntry("restart-strategy.fixed-delay.delay", "1 s")
                .containsEntry("parallelism.default", "2")
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("pipeline.object-reuse", "true");
    }

    @Test
    void createdEnvironmentHasTheSettingsAndQuietMetricGroups() {
        var env =
                JobEnvironment.create(JobSettings.defaults(Path.of("/tmp/cp")).withParallelism(3));
        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getCheckpointInterval()).isEqualTo(5000);
        assertThat(LogManager.getLogger(JobEnvironment.METRIC_GROUP_LOGGER).isWarnEnabled())
                .isFalse();
    }

    @Test
    void settingsRefuseNonsense() {
        assertThatThrownBy(() -> JobSettings.defaults(Path.of("x")).withParallelism(0))
                .hasMessageContaining("parallelism must be at least 1");
        assertThatThrownBy(
                        () ->
                                JobSettings.defaults(Path.of("x"))
                                        .withCheckpointInterval(Duration.ofMillis(1)))
                .hasMessageContaining("checkpointInterval");
    }
}
