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
                    System.out.printf(
                            "  %5.0f s  step %5d  loss %.3f  zero-shot %.3f  i2t@1 %.3f  t2i@1 %.3f%n",
                            (System.nanoTime() - start) / 1e9,
                            n,
                            mean(losses.subList(Math.max(0, n - 10), n)),
                            interim.mean().zeroshotAcc(),
                            interim.mean().i2tR1(),
                            interim.mean().t2iR1());
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

    /**
     * Prints a table: {@code TrainerBenchmark [presets=tiny,small] [batches=64,256] [threads=1,2]
     * [steps=20]}.
     */
    public static void main(String[] args) {
        List<String> presets = List.of("tiny", "small");
        List<Integer> batchSizes = List.of(64, 256);
        List<Integer> threadCounts = List.of(1, 2);
        int steps = 20;
        if (args.length > 0 && args[0].equals("learn")) {
            learnMain(args);
            return;
        }
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

    /**
     * {@code TrainerBenchmark learn seconds=120 batch=64 threads=2 lr=1e-3 warmup=50 schedule=2000
     * pool=20000 eval=/tmp/eval model=small|tiny|patch,width,depth,heads}.
     */
    private static void learnMain(String[] args) {
        java.util.Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        int vocab = new ByteTokenizer(32).vocabSize();
        String spec = opts.getOrDefault("model", "small");
        ModelConfig model;
        if (spec.contains(",")) {
            List<Integer> v = ints(spec);
            model = ModelConfig.small(vocab).withTowers(v.get(0), v.get(1), v.get(2), v.get(3));
        } else {
            model = ModelConfig.preset(spec, vocab);
        }
        if (opts.containsKey("pooling")) {
            model = model.withTextPooling(ModelConfig.TextPooling.valueOf(opts.get("pooling")));
        }
        OptimizerConfig optimizer =
                OptimizerConfig.defaults()
                        .withLearningRate(Double.parseDouble(opts.getOrDefault("lr", "1e-3")))
                        .withSchedule(
                                Integer.parseInt(opts.getOrDefault("warmup", "50")),
                                Integer.parseInt(opts.getOrDefault("schedule", "2000")));
        LearningResult r =
                learn(
                        model,
                        optimizer,
                        Integer.parseInt(opts.getOrDefault("batch", "64")),
                        Integer.parseInt(opts.getOrDefault("threads", "2")),
                        java.time.Duration.ofSeconds(
                                Long.parseLong(opts.getOrDefault("seconds", "120"))),
                        Integer.parseInt(opts.getOrDefault("pool", "20000")),
                        java.nio.file.Path.of(opts.getOrDefault("eval", "/tmp/streamlip-eval")),
                        Integer.parseInt(opts.getOrDefault("perClass", "4")),
                        opts.containsKey("evalEvery")
                                ? java.time.Duration.ofSeconds(
                                        Long.parseLong(opts.get("evalEvery")))
                                : null);
        System.out.printf(
                "%s %s batch %d threads %d: %d steps in %.0f s (%.0f ex/s), loss %.3f -> %.3f,"
                        + " RSS %d -> %d MiB%n%s",
                r.model(),
                model,
                r.batchSize(),
                r.threads(),
                r.steps(),
                r.seconds(),
                r.examplesPerSecond(),
                r.firstLoss(),
                r.lastLoss(),
                r.rssStartMb(),
                r.rssEndMb(),
                r.report().toTable());
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }
}
