package io.streamlip.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.streamlip.bench.pytorch.PytorchTwin;
import io.streamlip.bench.pytorch.SystemPytorch;
import io.streamlip.bench.pytorch.TrainingFlops;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench trainer-vs-pytorch}: the DJL training step against the same architecture
 * in PyTorch (Debian's {@code python3-torch}, installed on demand by {@link SystemPytorch}), both
 * at the demo's configuration (the trainer's defaults: model, batch size, threads), alternated in
 * one run: rounds of k DJL steps then k PyTorch steps (the order flipping every round), so drifting
 * load from other processes hits both alike. Reports medians and {@code ratio} = DJL step time /
 * PyTorch step time (below 1: DJL faster).
 *
 * <p>Also the FLOP utilisation: the step's matrix-product FLOPs ({@link TrainingFlops}) per second,
 * divided by what a large float32 product (2048²) reaches with DJL on the same threads, measured in
 * the same rounds.
 */
public final class TrainerVsPytorchBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerVsPytorchBenchmark.class);

    private final SystemPytorch pytorch;

    public TrainerVsPytorchBenchmark() {
        this(SystemPytorch.debian());
    }

    TrainerVsPytorchBenchmark(SystemPytorch pytorch) {
        this.pytorch = pytorch;
    }

    @Override
    public String name() {
        return "trainer-vs-pytorch";
    }

    @Override
    public String description() {
        return "DJL training step vs the same model in PyTorch (python3-torch), alternated;"
                + " ratio and FLOP utilisation";
    }

    /**
     * How long the run is: untimed warm-up steps per side, then {@code rounds} of {@code
     * stepsPerRound} timed steps per side, and {@code matmulReps} products of {@code matmulSize}²
     * per side and round.
     */
    record Plan(
            int djlWarmup,
            int pytorchWarmup,
            int rounds,
            int stepsPerRound,
            int matmulReps,
            int matmulSize) {
        static Plan of(boolean quick) {
            // DJL's Java side runs interpreted at first; its step time settles after ~60 steps.
            return quick ? new Plan(2, 1, 2, 2, 1, 2048) : new Plan(60, 10, 8, 10, 3, 2048);
        }
    }

    @Override
    public BenchResult run(BenchOptions options) throws IOException {
        TrainerConfig demo = TrainerConfig.defaults();
        int threads = options.threads() > 0 ? options.threads() : demo.threads();
        return compare(demo.model(), demo.batchSize(), threads, Plan.of(options.quick()), demo);
    }

    BenchResult compare(ModelConfig model, int batch, int threads, Plan plan, TrainerConfig demo)
            throws IOException {
        Path python = pytorch.ensureInstalled();
        TrainingSession.setThreads(threads);
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(batch * 4, 3),
                                model.imageSize(),
                                tokenizer),
                        batch,
                        model,
                        tokenizer.eosId());
        String loadBefore = loadAverage();
        try (TrainingSession djl = TrainingSession.create(model, demo.optimizer(), demo.seed());
                PytorchTwin twin =
                        PytorchTwin.start(
                                python, model, batch, threads, demo.seed(), demo.optimizer())) {
            long djlParameters = parameters(djl);
            LOG.info(
                    "parameters: DJL {}, PyTorch {} (torch {}, {})",
                    djlParameters,
                    twin.parameters(),
                    twin.torchVersion(),
                    twin.parallelInfo());
            if (djlParameters != twin.parameters()) {
                throw new IllegalStateException(
                        "the PyTorch twin has "
                                + twin.parameters()
                                + " parameters, the DJL model "
                                + djlParameters
                                + ": the architectures differ; make siglip_twin.py follow"
                                + " the Java model");
            }
            for (int i = 0; i < plan.djlWarmup(); i++) {
                djl.step(batches.get(i % batches.size()));
            }
            twin.steps(plan.pytorchWarmup());
            List<double[]> djlRounds = new ArrayList<>();
            List<double[]> torchRounds = new ArrayList<>();
            List<Double> djlMatmul = new ArrayList<>();
            List<Double> torchMatmul = new ArrayList<>();
            int cursor = 0;
            for (int round = 0; round < plan.rounds(); round++) {
                boolean djlFirst = round % 2 == 0;
                if (!djlFirst) {
                    torchRounds.add(twin.steps(plan.stepsPerRound()));
                }
                double[] ms = new double[plan.stepsPerRound()];
                for (int i = 0; i < ms.length; i++) {
                    TrainingBatch b = batches.get(cursor++ % batches.size());
                    long start = System.nanoTime();
                    djl.step(b);
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                djlRounds.add(ms);
                if (djlFirst) {
                    torchRounds.add(twin.steps(plan.stepsPerRound()));
                }
                for (double g : djlMatmul(djl.manager(), plan.matmulSize(), plan.matmulReps())) {
                    djlMatmul.add(g);
                }
                for (double g : twin.matmulGflops(plan.matmulSize(), plan.matmulReps())) {
                    torchMatmul.add(g);
                }
                LOG.info(
                        "round {}: DJL {} ms, PyTorch {} ms",
                        round + 1,
                        fmt(median(djlRounds.get(round))),
                        fmt(median(torchRounds.get(round))));
            }
            return report(
                    model,
                    batch,
                    threads,
                    plan,
                    djlRounds,
                    torchRounds,
                    djlMatmul,
                    torchMatmul,
                    djlParameters,
                    twin,
                    loadBefore);
        }
    }

    private BenchResult report(
            ModelConfig model,
            int batch,
            int threads,
            Plan plan,
            List<double[]> djlRounds,
            List<double[]> torchRounds,
            List<Double> djlMatmul,
            List<Double> torchMatmul,
            long parameters,
            PytorchTwin twin,
            String loadBefore) {
        double[] djlAll = concat(djlRounds);
        double[] torchAll = concat(torchRounds);
        double djlMs = median(djlAll);
        double torchMs = median(torchAll);
        double ratio = djlMs / torchMs;
        double[] roundRatios = new double[djlRounds.size()];
        for (int i = 0; i < roundRatios.length; i++) {
            roundRatios[i] = median(djlRounds.get(i)) / median(torchRounds.get(i));
        }
        double flops = TrainingFlops.of(model, batch).training();
        double djlGflops = flops / djlMs / 1e6;
        double torchGflops = flops / torchMs / 1e6;
        double djlPeak = median(unbox(djlMatmul));
        double torchPeak = median(unbox(torchMatmul));
        BenchResult result =
                new BenchResult(
                        "trainer-vs-pytorch: SigLIP training step, DJL vs PyTorch, alternated",
                        List.of(
                                "side",
                                "ms/step",
                                "p25",
                                "p75",
                                "examples/s",
                                "model GFLOP/s",
                                "matmul GFLOP/s",
                                "utilisation",
                                "parameters"));
        result.row(
                "DJL 0.36 (libtorch 2.7.1)",
                djlMs,
                quantile(djlAll, 0.25),
                quantile(djlAll, 0.75),
                batch * 1000.0 / djlMs,
                djlGflops,
                djlPeak,
                percent(djlGflops / djlPeak),
                parameters);
        result.row(
                "PyTorch " + twin.torchVersion(),
                torchMs,
                quantile(torchAll, 0.25),
                quantile(torchAll, 0.75),
                batch * 1000.0 / torchMs,
                torchGflops,
                torchPeak,
                percent(torchGflops / torchPeak),
                twin.parameters());
        Arrays.sort(roundRatios);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model);
        config.put("batch", batch);
        config.put("threads", threads);
        result.put("ratio", ratio)
                .put("djl_ms_per_step", djlMs)
                .put("pytorch_ms_per_step", torchMs)
                .put("ratio_per_round_min", roundRatios[0])
                .put("ratio_per_round_max", roundRatios[roundRatios.length - 1])
                .put("training_gflop_per_step", flops / 1e9)
                .put("djl_model_gflops", djlGflops)
                .put("pytorch_model_gflops", torchGflops)
                .put("djl_matmul_gflops", djlPeak)
                .put("pytorch_matmul_gflops", torchPeak)
                .put("utilisation", djlGflops / djlPeak)
                .put("pytorch_utilisation_vs_djl_matmul", torchGflops / djlPeak)
                .put("parameters_djl", parameters)
                .put("parameters_pytorch", twin.parameters())
                .put("torch_version", twin.torchVersion())
                .put("configuration", config)
                .put("rounds", plan.rounds())
                .put("steps_per_round", plan.stepsPerRound())
                .put("matmul_size", plan.matmulSize())
                .put("environment", nativeEnvironment());
        result.note(
                String.format(
                        Locale.ROOT,
                        "ratio (DJL / PyTorch median step time) = %.3f; per-round ratios %.3f to"
                                + " %.3f over %d rounds of %d steps each (order alternating)",
                        ratio,
                        roundRatios[0],
                        roundRatios[roundRatios.length - 1],
                        plan.rounds(),
                        plan.stepsPerRound()));
        result.note(
                String.format(
                        Locale.ROOT,
                        "utilisation = model GFLOP/s / DJL's %d² float32 matmul GFLOP/s (%.1f);"
                                + " %.2f GFLOP per training step (matrix products, fwd + bwd)",
                        plan.matmulSize(),
                        djlPeak,
                        flops / 1e9));
        result.note(
                String.format(
                        Locale.ROOT,
                        "model %s, batch %d, %d threads both sides; %d CPUs; load average %s"
                                + " before, %s after",
                        model,
                        batch,
                        threads,
                        Runtime.getRuntime().availableProcessors(),
                        loadBefore,
                        loadAverage()));
        result.note("environment (both sides; the twin inherits it): " + nativeEnvironment());
        return result;
    }

    private static double[] djlMatmul(NDManager parent, int size, int reps) {
        double[] gflops = new double[reps];
        try (NDManager m = parent.newSubManager()) {
            Shape shape = new Shape(size, size);
            NDArray a = m.randomUniform(0f, 1f, shape);
            NDArray b = m.randomUniform(0f, 1f, shape);
            a.matMul(b).close(); // warm-up
            double n = size;
            for (int i = 0; i < reps; i++) {
                long start = System.nanoTime();
                NDArray c = a.matMul(b); // synchronous on the CPU
                double seconds = (System.nanoTime() - start) / 1e9;
                c.close();
                gflops[i] = 2 * n * n * n / seconds / 1e9;
            }
        }
        return gflops;
    }

    static long parameters(TrainingSession session) {
        long n = 0;
        for (var p : session.model().getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    /**
     * The variables that change how both sides' native code runs: OpenMP's and glibc malloc's (the
     * launcher sets them; without them every step page-faults tens of megabytes).
     */
    static String nativeEnvironment() {
        List<String> set = new ArrayList<>();
        for (String name :
                List.of(
                        "OMP_WAIT_POLICY",
                        "GOMP_SPINCOUNT",
                        "MALLOC_MMAP_THRESHOLD_",
                        "MALLOC_TRIM_THRESHOLD_",
                        "MALLOC_ARENA_MAX")) {
            String value = System.getenv(name);
            set.add(name + "=" + (value == null ? "(unset)" : value));
        }
        return String.join(" ", set);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double[] concat(List<double[]> rounds) {
        return rounds.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /** Linear-interpolated quantile of {@code values} (not modified). */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
