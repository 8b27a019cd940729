package io.streamlip.bench;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.util.List;

/**
 * {@code streamlip bench trainer}: training-step time and examples/s of the demo's configuration
 * (the trainer's defaults, which {@code streamlip demo} uses: model, batch size, threads), beside
 * the tiny test model, measured in one run on synthetic batches prepared beforehand (only the step
 * is timed: forward, loss, backward, optimizer update).
 */
public final class TrainerStepBenchmark implements Benchmark {
    @Override
    public String name() {
        return "trainer";
    }

    @Override
    public String description() {
        return "training step time and examples/s at the demo's configuration (DJL, CPU)";
    }

    @Override
    public BenchResult run(BenchOptions options) {
        TrainerConfig demo = TrainerConfig.defaults();
        int threads = options.threads() > 0 ? options.threads() : demo.threads();
        // DJL's Java side (the optimizer's per-parameter calls) runs interpreted at first: step
        // time kept falling for the first ~60 steps when measured, so those are not timed.
        int steps = options.quick() ? 3 : 100;
        int warmup = options.quick() ? 1 : 60;
        int vocab = new ByteTokenizer(demo.model().contextLength()).vocabSize();
        record Config(String label, ModelConfig model, int batch, int threads) {}
        List<Config> configs =
                List.of(
                        new Config("demo", demo.model(), demo.batchSize(), threads),
                        new Config("demo, 1 thread", demo.model(), demo.batchSize(), 1),
                        new Config("tests (tiny)", ModelConfig.tiny(vocab), 64, 1));
        BenchResult result =
                new BenchResult(
                        "trainer: SigLIP training step on CPU (DJL, PyTorch engine)",
                        List.of(
                                "configuration",
                                "model",
                                "batch",
                                "threads",
                                "ms/step",
                                "mean ms",
                                "examples/s",
                                "parameters"));
        for (Config c : configs) {
            TrainingStepTimer.Result r =
                    TrainingStepTimer.measure(c.model(), c.batch(), c.threads(), warmup, steps);
            result.row(
                    c.label(),
                    r.model(),
                    r.batchSize(),
                    r.threads(),
                    r.msPerStep(),
                    r.meanMsPerStep(),
                    r.examplesPerSecond(),
                    r.parameters());
            if (c.label().equals("demo")) {
                result.put("ms_per_step", r.msPerStep())
                        .put("mean_ms_per_step", r.meanMsPerStep())
                        .put("examples_per_second", r.examplesPerSecond())
                        .put("model", r.model())
                        .put("batch", r.batchSize())
                        .put("threads", r.threads());
            }
        }
        result.note(
                String.format(
                        java.util.Locale.ROOT,
                        "ms/step and examples/s: median of %d timed steps after %d warm-up (mean ms: their"
                                + " mean); %d CPUs; model %s",
                        steps,
                        warmup,
                        Runtime.getRuntime().availableProcessors(),
                        demo.model()));
        return result;
    }
}
