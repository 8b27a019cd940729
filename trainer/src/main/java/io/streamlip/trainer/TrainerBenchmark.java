package io.streamlip.trainer;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures training-step time and throughput of a model at a batch size and thread count, on
 * synthetic batches prepared beforehand (so only the step is timed: forward, loss, backward,
 * optimizer update). Reused by the bench module.
 */
public final class TrainerBenchmark {
    private TrainerBenchmark() {}

    /**
     * One measurement.
     *
     * @param model preset name of the model
     * @param batchSize examples per step
     * @param threads PyTorch intra-op threads
     * @param steps timed steps
     * @param msPerStep mean wall time of a timed step, milliseconds
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
                SyntheticExamples.batches(
                        SyntheticExamples.generate(
                                batchSize * distinct, 3, model.imageSize(), tokenizer),
                        batchSize,
                        model,
                        tokenizer.eosId());
        try (TrainingSession session =
                TrainingSession.create(model, OptimizerConfig.defaults(), 1)) {
            for (int i = 0; i < warmup; i++) {
                session.step(batches.get(i % batches.size()));
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                session.step(batches.get(i % batches.size()));
            }
            double ms = (System.nanoTime() - start) / 1e6 / steps;
            long parameters = 0;
            for (var p : session.model().getParameters()) {
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

    /**
     * Prints a table: {@code TrainerBenchmark [presets=tiny,small] [batches=64,256] [threads=1,2]
     * [steps=20]}.
     */
    public static void main(String[] args) {
        List<String> presets = List.of("tiny", "small");
        List<Integer> batchSizes = List.of(64, 256);
        List<Integer> threadCounts = List.of(1, 2);
        int steps = 20;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "presets" -> presets = List.of(kv[1].split(","));
                case "batches" -> batchSizes = ints(kv[1]);
                case "threads" -> threadCounts = ints(kv[1]);
                case "steps" -> steps = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        int vocab = new ByteTokenizer(32).vocabSize();
        System.out.printf(
                "%-8s %6s %7s %10s %10s %12s%n",
                "model", "batch", "threads", "ms/step", "ex/s", "parameters");
        for (String preset : presets) {
            for (int b : batchSizes) {
                for (int t : threadCounts) {
                    Result r = measure(ModelConfig.preset(preset, vocab), b, t, 3, steps);
                    System.out.printf(
                            "%-8s %6d %7d %10.1f %10.1f %12d%n",
                            r.model(),
                            r.batchSize(),
                            r.threads(),
                            r.msPerStep(),
                            r.examplesPerSecond(),
                            r.parameters());
                }
            }
        }
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }
}
