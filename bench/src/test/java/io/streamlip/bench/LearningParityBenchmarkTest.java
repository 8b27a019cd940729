package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlip.bench.LearningParityBenchmark.Control;
import io.streamlip.bench.LearningParityBenchmark.GradientGroup;
import io.streamlip.bench.LearningParityBenchmark.Outcome;
import io.streamlip.bench.LearningParityBenchmark.Settings;
import io.streamlip.bench.LearningParityBenchmark.StepRow;
import io.streamlip.bench.LearningParityBenchmark.Stream;
import io.streamlip.bench.LearningParityBenchmark.WeightRow;
import io.streamlip.bench.pytorch.SystemPytorch;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DJL trainer and its PyTorch twin agree to float32 precision from the same weights on the same
 * batches: the first step's loss and every tensor's gradient, the weights after the first update
 * (where a decay applied to biases and norms on one side only, a different epsilon or clipping rule
 * would show), and the losses of the following steps through warm-up, cosine decay and clipping.
 */
@Tag("integration")
class LearningParityBenchmarkTest {

    @Test
    @Timeout(600)
    void theTrainerAndItsTwinAgreeStepByStep(@TempDir Path out) throws Exception {
        assumeTrue(
                SystemPytorch.debian().available(),
                "/usr/bin/python3 cannot import torch (python3-torch): the twin cannot run");
        // A strong decay and a low clipping norm, so that their rules change the weights
        // measurably at every step; warm-up 2, then cosine decay to the minimum by step 5.
        OptimizerConfig optimizer =
                OptimizerConfig.builder()
                        .warmupSteps(2)
                        .scheduleSteps(5)
                        .weightDecay(0.1)
                        .clipNorm(0.5)
                        .build();
        Settings settings =
                new Settings(
                        "tiny",
                        6,
                        16,
                        1,
                        42,
                        Stream.SYNTHETIC,
                        optimizer,
                        Set.of(Control.FLOAT64),
                        out,
                        0,
                        Path.of("data"));
        LearningParityBenchmark bench = new LearningParityBenchmark();
        Outcome o = bench.measure(settings);

        StepRow first = o.steps().get(0);
        assertThat(Math.abs(first.djlLoss() - first.twinLoss()))
                .isLessThanOrEqualTo(2e-6 * Math.abs(first.twinLoss()));
        assertThat(o.gradients()).hasSize(9);
        for (GradientGroup g : o.gradients()) {
            assertThat(g.maxGradient()).as(g.group()).isGreaterThan(0);
            assertThat(g.djlVsTwin().maxRel()).as(g.group()).isLessThanOrEqualTo(1e-4);
        }
        // After one update each tensor differs by float32 rounding only: at most ten times what
        // separates the float32 twin from the float64 one (Adam's first step turns gradient
        // elements near zero into rate-sized moves, so that is up to ~1e-6 for some matrices and
        // 0 for the norms' gammas), or 1e-6. A decay of 0.1 at rate 5e-4 applied to one side's
        // norms alone would move the gammas by 5e-5; another epsilon or clipping rule would move
        // every tensor.
        WeightRow afterFirst = o.weights().get(0);
        assertThat(afterFirst.step()).isEqualTo(1);
        assertThat(afterFirst.perTensor()).hasSizeGreaterThan(20);
        afterFirst
                .perTensor()
                .forEach(
                        (name, d) ->
                                assertThat(d[0])
                                        .as("weights of %s after step 1", name)
                                        .isLessThanOrEqualTo(Math.max(1e-6, 10 * d[1])));
        for (StepRow s : o.steps()) {
            assertThat(Math.abs(s.djlLearningRate() - s.twinLearningRate()))
                    .as("learning rate at step %d", s.step())
                    .isLessThanOrEqualTo(1e-9 * s.djlLearningRate());
            assertThat(Math.abs(s.djlLoss() - s.twinLoss()))
                    .as("loss at step %d", s.step())
                    .isLessThanOrEqualTo(1e-5 * Math.abs(s.twinLoss()));
            assertThat(s.djlGradientNorm()).isGreaterThan(0);
        }
        assertThat(o.steps().get(5).djlLoss()).isLessThan(first.djlLoss());
        // Clipping was active (norm above 0.5) on both sides at the first step.
        assertThat(first.djlGradientNorm()).isGreaterThan(0.5);
        assertThat(Math.abs(first.djlGradientNorm() - first.twinGradientNorm()))
                .isLessThanOrEqualTo(1e-5 * first.twinGradientNorm());

        LearningParityReport.write(o, out);
        assertThat(Files.readAllLines(out.resolve("curves.csv"))).hasSize(7);
        assertThat(Files.readString(out.resolve("curves.svg"))).contains("<polyline");
        assertThat(LearningParityReport.result(o).toTable()).contains("loss PyTorch");
    }
}
