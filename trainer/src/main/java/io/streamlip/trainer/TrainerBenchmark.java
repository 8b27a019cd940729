package io.streamlip.trainer;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
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
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(TrainerBenchmark.class);

    private TrainerBenchmark() {}

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
            double[] stepMs = new double[steps];
            for (int i = 0; i < steps; i++) {
                long start = System.nanoTime();
                session.step(batches.get(i % batches.size()));
                stepMs[i] = (System.nanoTime() - start) / 1e6;
            }
            // The median: a shared machine stalls a few steps now and then, and those stalls are
            // not the step's cost.
            java.util.Arrays.sort(stepMs);
            double ms =
                    steps % 2 == 1
                            ? stepMs[steps / 2]
                            : (stepMs[steps / 2 - 1] + stepMs[steps / 2]) / 2;
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
     * What a model learns in a fixed wall-clock budget.
     *
     * @param model preset name
     * @param batchSize examples per step
     * @param threads PyTorch intra-op threads
     * @param steps steps taken within the budget
     * @param seconds training wall time
     * @param examplesPerSecond trained examples per second
     * @param firstLoss mean loss of the first 10 steps
     * @param lastLoss mean loss of the last 10 steps
     * @param report evaluation on the held-out set after training
     * @param rssStartMb resident memory of the process after the first step, MiB
     * @param rssEndMb resident memory of the process at the end of training, MiB
     */
    public record LearningResult(
            String model,
            int batchSize,
            int threads,
            long steps,
            double seconds,
            double examplesPerSecond,
            double firstLoss,
            double lastLoss,
            EvalReport report,
            long rssStartMb,
            long rssEndMb) {}

    /**
     * Trains {@code model} on synthetic pairs (a pool of {@code poolSize} examples, cycled) for
     * {@code budget} of wall time, then evaluates it on the synthetic evaluation set in {@code
     * evalFolder} (written there first if missing: 48 classes x {@code perClass} images x 6
     * languages). With {@code evalEvery} (may be null) it also evaluates and prints a line that
     * often during training.
     */
    public static LearningResult learn(
            ModelConfig model,
            OptimizerConfig optimizer,
            int batchSize,
            int threads,
            java.time.Duration budget,
            int poolSize,
            java.nio.file.Path evalFolder,
            int perClass,
            java.time.Duration evalEvery) {
        TrainingSession.setThreads(threads);
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        if (!java.nio.file.Files.exists(
                evalFolder.resolve(io.streamlip.ingest.pairs.PairsFolder.INDEX))) {
            new io.streamlip.ingest.synthetic.SyntheticPairs()
                    .writeEvalSet(evalFolder, perClass, 1234);
        }
        EvalSet eval = EvalSet.load(evalFolder, model, tokenizer);
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(poolSize, 77, model.imageSize(), tokenizer),
                        batchSize,
                        model,
                        tokenizer.eosId());
        List<Float> losses = new ArrayList<>();
        try (TrainingSession session = TrainingSession.create(model, optimizer, 42)) {
            long start = System.nanoTime();
            long deadline = start + budget.toNanos();
            long rssStart = -1;
            long nextEval = evalEvery == null ? Long.MAX_VALUE : start + evalEvery.toNanos();
            while (System.nanoTime() < deadline) {
                losses.add(session.step(batches.get(losses.size() % batches.size())).loss());
                if (rssStart < 0) {
                    rssStart = residentMemoryMb();
                }
                if (System.nanoTime() >= nextEval) {
                    EvalReport interim = Evaluator.evaluate(session, eval);
                    int n = losses.size();
                    LOG.info(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "%5.0f s  step %5d  loss %.3f  zero-shot %.3f  i2t@1 %.3f"
                                            + "  t2i@1 %.3f",
                                    (System.nanoTime() - start) / 1e9,
                                    n,
                                    mean(losses.subList(Math.max(0, n - 10), n)),
                                    interim.mean().zeroshotAcc(),
                                    interim.mean().i2tR1(),
                                    interim.mean().t2iR1()));
                    nextEval = System.nanoTime() + evalEvery.toNanos();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long rssEnd = residentMemoryMb();
            EvalReport report = Evaluator.evaluate(session, eval);
            int n = losses.size();
            return new LearningResult(
                    model.name(),
                    batchSize,
                    threads,
                    n,
                    seconds,
                    (double) n * batchSize / seconds,
                    mean(losses.subList(0, Math.min(10, n))),
                    mean(losses.subList(Math.max(0, n - 10), n)),
                    report,
                    rssStart,
                    rssEnd);
        }
    }

    /** VmRSS of this process from /proc (Linux), or -1 where there is none. */
    public static long residentMemoryMb() {
        try {
            for (String line :
                    java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
    }
}
