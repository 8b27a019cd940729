package io.streamlip.bench;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.util.Arrays;
import java.util.List;

/**
 * Measures training-step time and throughput of a model at a batch size and thread count, on
 * synthetic batches prepared beforehand (so only the step is timed: forward, loss, backward,
 * optimizer update), for {@code streamlip bench trainer} ({@link TrainerStepBenchmark}).
 */
public final class TrainingStepTimer {
    private TrainingStepTimer() {}

    /**
     * One measurement.
     *
     * @param model preset name of the model
     * @param batchSize examples per step
     * @param threads PyTorch intra-op threads
     * @param steps timed steps
     * @param msPerStep median wall time of a timed step, milliseconds
     * @param examplesPerSecond {@code batchSize / msPerStep * 1000}
     * @param parameters number of trainable scalars of the model
     */
    public record Result(
            String model,
            int batchSize,
            int threads,
            int steps,
            double msPerStep,
            double examplesPerSecond,
            long parameters) {}

    /**
     * Times {@code steps} steps after {@code warmup} untimed ones. Sets PyTorch's intra-op thread
     * count for the whole process.
     */
    public static Result measure(
            ModelConfig model, int batchSize, int threads, int warmup, int steps) {
        TrainingSession.setThreads(threads);
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        int distinct = Math.min(4, warmup + steps);
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(batchSize * distinct, 3),
                                model.imageSize(),
                                tokenizer),
                        batchSize,
                        model,
                        tokenizer.eosId());
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            for (int i = 0; i < warmup; i++) {
                session.step(batches.get(i % batches.size()));
            }
            double[] stepMs = new double[steps];
            for (int i = 0; i < steps; i++) {
                long start = System.nanoTime();
                session.step(batches.get(i % batches.size()));
                stepMs[i] = (System.nanoTime() - start) / 1e6;
            }
            // The median: a shared machine stalls a few steps now and then, and those stalls are
            // not the step's cost.
            Arrays.sort(stepMs);
            double ms =
                    steps % 2 == 1
                            ? stepMs[steps / 2]
                            : (stepMs[steps / 2 - 1] + stepMs[steps / 2]) / 2;
            long parameters = 0;
            for (var p : session.contrastiveModel().getParameters()) {
                parameters += p.getValue().getArray().size();
            }
            return new Result(
                    model.name(),
                    batchSize,
                    threads,
                    steps,
                    ms,
                    batchSize * 1000.0 / ms,
                    parameters);
        }
    }
}
