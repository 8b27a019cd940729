package io.streamlip.filter.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.flink.JobArguments;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter job's cross-modal options: what {@code streamlip submit} writes is what the job reads,
 * bad values name their option, and a job told to score without a scorer on its classpath refuses
 * to start (this module's tests have no trainer).
 */
class CrossModalArgumentsTest {

    private static JobArguments parse(List<String> jobOptions) {
        List<String> args =
                new ArrayList<>(List.of("--bootstrap", "k:9092", "--checkpoint-dir", "/cp"));
        args.addAll(jobOptions);
        return JobArguments.parse(args.toArray(String[]::new), CrossModalArguments.NAMES);
    }

    @Test
    void whatOfWritesApplyReadsBack() {
        CrossModalConfig config =
                CrossModalConfig.builder()
                        .enabled(true)
                        .thresholds(Map.of("en", 0.25, "ja", 0.1))
                        .defaultThreshold(0.2)
                        .topFraction(0.75)
                        .window(300)
                        .warmup(20)
                        .batchSize(8)
                        .batchTimeoutMillis(120)
                        .build();
        assertThat(
                        CrossModalArguments.apply(
                                parse(CrossModalArguments.of(config)), CrossModalConfig.defaults()))
                .isEqualTo(config);
        // Nothing given: the base stands (off by default).
        assertThat(CrossModalArguments.apply(parse(List.of()), CrossModalConfig.defaults()))
                .isEqualTo(CrossModalConfig.defaults());
        assertThat(CrossModalConfig.defaults().enabled()).isFalse();
    }

    @Test
    void badValuesNameTheirOption() {
        assertThatThrownBy(
                        () ->
                                CrossModalArguments.apply(
                                        parse(List.of("--crossmodal-score", "maybe")),
                                        CrossModalConfig.defaults()))
                .hasMessageContaining("--crossmodal-score takes true or false");
        assertThatThrownBy(
                        () ->
                                CrossModalArguments.apply(
                                        parse(List.of("--crossmodal-top-fraction", "2")),
                                        CrossModalConfig.defaults()))
                .hasMessageContaining("topFraction must be in [0, 1]");
        assertThatThrownBy(
                        () ->
                                CrossModalArguments.apply(
                                        parse(List.of("--crossmodal-thresholds", "en")),
                                        CrossModalConfig.defaults()))
                .hasMessageContaining("--crossmodal-thresholds takes LANG=T");
        assertThatThrownBy(
                        () ->
                                CrossModalArguments.apply(
                                        parse(List.of("--crossmodal-batch-size", "0")),
                                        CrossModalConfig.defaults()))
                .hasMessageContaining("batchSize must be in [1, 1024]");
        assertThatThrownBy(
                        () ->
                                CrossModalArguments.apply(
                                        parse(List.of("--crossmodal-batch-timeout-ms", "0")),
                                        CrossModalConfig.defaults()))
                .hasMessageContaining("batchTimeoutMillis must be in [1, 10000]");
    }

    @Test
    void scoringWithoutAScorerOnTheClasspathRefusesToBuildTheJob(@TempDir Path dir) {
        FilterConfig config =
                FilterConfig.builder()
                        .crossModal(CrossModalConfig.builder().enabled(true).build())
                        .build();
        assertThatThrownBy(
                        () ->
                                FilterJob.attach(
                                        JobEnvironment.create(
                                                JobSettings.defaults(dir.resolve("checkpoints"))),
                                        KafkaClients.of("127.0.0.1:1"),
                                        PipelineTopics.defaults(),
                                        config,
                                        FilterJob.Options.defaults()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no PairScorerFactory is on the classpath")
                .hasMessageContaining("jobs-scorer.jar");
        // Off (the default), the same job builds.
        FilterJob.attach(
                JobEnvironment.create(JobSettings.defaults(dir.resolve("checkpoints2"))),
                KafkaClients.of("127.0.0.1:1"),
                PipelineTopics.defaults(),
                FilterConfig.defaults(),
                FilterJob.Options.defaults());
    }
}
