package io.streamlip.bench;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.util.List;
import java.util.Locale;

/**
 * {@code streamlip bench clippo}: CLIPPO's training step against the two-tower model at the same
 * width: {@code small} (two towers), its shape as one CLIPPO tower at the same 32 px, and the
 * {@code clippo-small} preset (48 px, for three glyph rows), at the demo's batch and threads, each
 * timed twice in turn (both rounds reported: the spread). Needs a font for the rendered captions
 * ({@code STREAMLIP_FONT} or Debian's unifont).
 */
public final class ClippoStepBenchmark implements Benchmark {
    @Override
    public String name() {
        return "clippo";
    }

    @Override
    public String description() {
        return "CLIPPO (one tower) vs two towers at the same width: step time, memory (DJL, CPU)";
    }

    @Override
    public BenchResult run(BenchOptions options) {
        TrainerConfig demo = TrainerConfig.defaults();
        int threads = options.threads() > 0 ? options.threads() : demo.threads();
        // Fewer steps than `bench trainer`: three models, two rounds; ratios are what it reports.
        int steps = options.quick() ? 3 : 10;
        int warmup = options.quick() ? 1 : 15;
        int rounds = options.quick() ? 1 : 2;
        int vocab = new ByteTokenizer(demo.model().contextLength()).vocabSize();
        ModelConfig small = ModelConfig.small(vocab);
        List<ModelConfig> models =
                List.of(
                        small,
                        small.toBuilder()
                                .name("small as CLIPPO")
                                .family(ModelFamily.CLIPPO)
                                .build(),
                        ModelConfig.preset("clippo-small", vocab));
        BenchResult result =
                new BenchResult(
                        "clippo: one tower (CLIPPO) vs two towers, training step on CPU",
                        List.of(
                                "round",
                                "model",
                                "px",
                                "batch",
                                "threads",
                                "ms/step",
                                "examples/s",
                                "parameters",
                                "RSS growth MiB"));
        for (int round = 1; round <= rounds; round++) {
            for (ModelConfig m : models) {
                TrainingStepTimer.Result r =
                        TrainingStepTimer.measure(m, demo.batchSize(), threads, warmup, steps);
                result.row(
                        round,
                        r.model(),
                        m.imageSize(),
                        r.batchSize(),
                        r.threads(),
                        r.msPerStep(),
                        r.examplesPerSecond(),
                        r.parameters(),
                        r.rssGrowthMb());
            }
        }
        result.note(
                String.format(
                        Locale.ROOT,
                        "median of %d timed steps after %d warm-up, %d round(s) in turn; %d CPUs;"
                                + " RSS growth: peak resident memory during the steps less before"
                                + " the model (one JVM: later models may reuse freed memory)",
                        steps,
                        warmup,
                        rounds,
                        Runtime.getRuntime().availableProcessors()));
        return result;
    }
}
