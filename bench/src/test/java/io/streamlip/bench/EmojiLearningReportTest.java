package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.trainer.eval.EvalReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmojiLearningReportTest {

    private static EvalReport report(double i2tR1, double zeroshot) {
        return EvalReport.of(
                Map.of(
                        "en",
                        new EvalReport.Metrics(
                                i2tR1, 0.5, 0.6, 0.3, 0.55, 0.65, zeroshot, 100, 0.01)));
    }

    private static EmojiLearningBenchmark.Outcome outcome() {
        EmojiLearningBenchmark.Spec spec = EmojiLearningBenchmark.Spec.demo(Duration.ofSeconds(60));
        return new EmojiLearningBenchmark.Outcome(
                spec,
                1000,
                40,
                60,
                true,
                5.5,
                3.25,
                report(0.25, 0.4),
                report(0.75, 0.8),
                List.of(new EmojiLearningBenchmark.CurvePoint(30, 20, 4.0, report(0.125, 0.2))));
    }

    @Test
    void aRowAndARunPerExperimentAndTheFirstOnTop() {
        EmojiLearningBenchmark.Outcome o = outcome();
        BenchResult result = EmojiLearningReport.of(List.of(o));

        assertThat(result.name()).isEqualTo(EmojiLearningReport.TITLE);
        assertThat(result.rows())
                .containsExactly(
                        List.of(
                                "demo defaults",
                                40L,
                                o.examplesPerSecond(),
                                5.5,
                                3.25,
                                0.25,
                                0.5,
                                0.3,
                                0.55,
                                0.4,
                                0.75,
                                0.8));
        assertThat(result.json().keySet())
                .containsExactly(
                        "benchmark",
                        "heldout_i2t_r1",
                        "heldout_i2t_r5",
                        "heldout_t2i_r1",
                        "heldout_zeroshot_acc",
                        "chance_r1",
                        "steps",
                        "examples_per_second",
                        "runs");
        assertThat(result.json()).containsEntry("heldout_i2t_r1", 0.25).containsEntry("steps", 40L);
    }

    @Test
    void aRunHoldsItsSettingsFiguresAndCurve() {
        Map<String, Object> run = EmojiLearningReport.run(outcome());

        assertThat(run.keySet())
                .containsExactly(
                        "label",
                        "config",
                        "model",
                        "batch",
                        "optimizer",
                        "budget_seconds",
                        "threads",
                        "examples_in_stream",
                        "steps",
                        "seconds",
                        "stream_used_up",
                        "passes",
                        "examples_per_second",
                        "loss_first",
                        "loss_last",
                        "heldout",
                        "training_style",
                        "curve");
        assertThat(run).containsEntry("budget_seconds", 60L).containsEntry("stream_used_up", true);
        assertThat(run.get("curve"))
                .isEqualTo(
                        List.of(
                                Map.<String, Object>of(
                                        "seconds", 30.0,
                                        "step", 20L,
                                        "loss", 4.0,
                                        "i2t_r1", 0.125,
                                        "i2t_r5", 0.5,
                                        "t2i_r1", 0.3,
                                        "zeroshot_acc", 0.2)));
    }

    @Test
    void theSummarySaysHowMuchOfTheStreamWasTrained() {
        EmojiLearningBenchmark.Outcome o = outcome();
        long trained = 40L * o.spec().batchSize();

        assertThat(EmojiLearningReport.summary(o))
                .isEqualTo(
                        String.format(
                                java.util.Locale.ROOT,
                                "  1000 examples in the stream, %d trained (%.2f passes) in 60 s"
                                        + " (stream used up); chance R@1 0.0100",
                                trained,
                                trained / 1000.0));
        assertThat(EmojiLearningReport.of(List.of(o)).toTable())
                .contains(o.spec().describe() + "\n" + EmojiLearningReport.summary(o) + "\n")
                .contains("CPUs, load average");
    }
}
