package io.streamlip.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.streamlip.bench.pytorch.PytorchTwin;
import io.streamlip.bench.pytorch.SystemPytorch;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.hf.Safetensors;
import io.streamlip.trainer.hf.SiglipNames;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.AdamW;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench learning-parity}: the DJL trainer ({@link TrainingSession}: the model,
 * sigmoid loss, AdamW, schedule and clipping {@code train} uses) against its PyTorch twin ({@code
 * siglip_twin.py}, Debian's {@code python3-torch}), from the same weights (the DJL model's, written
 * as safetensors under the canonical names and read by the twin, every tensor exactly once) on the
 * same batches in the same order (the Java side writes each batch to a file both read). Reports the
 * first step's loss and every tensor's gradient difference, both loss curves and their per-step
 * difference, the weights' drift, and on the emoji stream the held-out recall of both (the twin's
 * final weights evaluated by the same {@link Evaluator}).
 *
 * <p>Controls that size float32's own noise: the twin again with every batch's rows permuted (the
 * same loss in exact arithmetic, another summation order) and the twin in float64 (nearly exact). A
 * DJL-vs-twin difference of the size of twin-vs-permuted-twin is float32 rounding, not a bug.
 */
public final class LearningParityBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(LearningParityBenchmark.class);

    /** The batch stream both sides train on. */
    public enum Stream {
        /** {@link SyntheticPairs} (coloured shapes named in captions), a pool of batches cycled. */
        SYNTHETIC,
        /**
         * The demo's emoji corpus, curated and tokenized as the demo's jobs do ({@link
         * EmojiStream}).
         */
        EMOJI
    }

    /** The float32 noise controls beside the twin. */
    public enum Control {
        /** The twin on every batch with its rows permuted. */
        PERMUTED,
        /** The twin in float64. */
        FLOAT64
    }

    /**
     * One run.
     *
     * @param model the model preset (the demo's: {@code small})
     * @param steps training steps of each side
     * @param batch examples per step
     * @param threads intra-op threads of each side
     * @param seed the DJL model's initialisation (the twin starts from its weights)
     * @param stream what both train on
     * @param optimizer AdamW and its schedule (the trainer's defaults)
     * @param controls the twin variants that size float32's noise
     * @param out folder for the curves (CSV, JSONL), gradients and chart; null: none written
     * @param evalClasses emoji classes in the held-out set (the demo's 500)
     * @param dataDir the emoji corpus's folder
     */
    public record Settings(
            String model,
            int steps,
            int batch,
            int threads,
            int seed,
            Stream stream,
            OptimizerConfig optimizer,
            Set<Control> controls,
            Path out,
            int evalClasses,
            Path dataDir) {
        public Settings {
            controls = Set.copyOf(controls);
            if (steps < 1 || batch < 2 || threads < 1 || evalClasses < 0) {
                throw new IllegalArgumentException(
                        "need steps >= 1, batch >= 2, threads >= 1, evalClasses >= 0");
            }
        }

        /**
         * The demo's trainer ({@link TrainerConfig#defaults()}), 300 steps, synthetic, both
         * controls.
         */
        public static Settings defaults() {
            TrainerConfig demo = TrainerConfig.defaults();
            return new Settings(
                    "small",
                    300,
                    demo.batchSize(),
                    demo.threads(),
                    demo.seed(),
                    Stream.SYNTHETIC,
                    demo.optimizer(),
                    Set.of(Control.PERMUTED, Control.FLOAT64),
                    null,
                    500,
                    Path.of(System.getProperty("streamlip.data", "data")));
        }

        ModelConfig modelConfig() {
            return ModelConfig.preset(model, new ByteTokenizer(32).vocabSize());
        }
    }

    private final SystemPytorch pytorch;

    public LearningParityBenchmark() {
        this(SystemPytorch.debian());
    }

    LearningParityBenchmark(SystemPytorch pytorch) {
        this.pytorch = pytorch;
    }

    @Override
    public String name() {
        return "learning-parity";
    }

    @Override
    public String description() {
        return "DJL trainer vs its PyTorch twin from the same weights on the same batches: first-step"
                + " gradients, loss curves, drift, recall";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        Settings s = Settings.defaults();
        int threads = options.threads() > 0 ? options.threads() : s.threads();
        int steps = options.quick() ? 5 : s.steps();
        String model = options.quick() ? "tiny" : s.model();
        return run(
                new Settings(
                        model,
                        steps,
                        options.quick() ? 16 : s.batch(),
                        threads,
                        s.seed(),
                        s.stream(),
                        s.optimizer(),
                        s.controls(),
                        s.out(),
                        s.evalClasses(),
                        s.dataDir()));
    }

    /** Per-step figures of all sides; NaN where a control does not run. */
    record StepRow(
            int step,
            double djlLearningRate,
            double twinLearningRate,
            double djlLoss,
            double twinLoss,
            double permutedLoss,
            double float64Loss,
            double djlGradientNorm,
            double twinGradientNorm) {}

    /** Largest differences between two sets of weights (or gradients). */
    record Diff(double maxAbs, double maxRel, double relNorm) {
        static final Diff NONE = new Diff(Double.NaN, Double.NaN, Double.NaN);
    }

    /** The differences of one tensor group's gradients at the first step. */
    record GradientGroup(
            String group,
            int tensors,
            long scalars,
            double maxGradient,
            Diff djlVsTwin,
            Diff djlVsFloat64,
            Diff twinVsFloat64,
            Diff twinVsPermuted) {}

    /**
     * The weights' differences after a step, over all tensors and per tensor ({@code perTensor}:
     * canonical name to the largest absolute DJL-twin and twin-float64 differences).
     */
    record WeightRow(
            int step,
            Diff djlVsTwin,
            Diff twinVsPermuted,
            Diff twinVsFloat64,
            Map<String, double[]> perTensor) {}

    /** Everything a run measured. */
    record Outcome(
            Settings settings,
            ModelConfig model,
            long parameters,
            String torchVersion,
            List<StepRow> steps,
            List<GradientGroup> gradients,
            List<WeightRow> weights,
            EvalReport djlRecall,
            EvalReport twinRecall,
            String stream) {}

    /** Runs both sides and reports. */
    public BenchResult run(Settings settings) throws IOException {
        Outcome outcome = measure(settings);
        if (settings.out() != null) {
            LearningParityReport.write(outcome, settings.out());
        }
        return LearningParityReport.result(outcome);
    }

    Outcome measure(Settings settings) throws IOException {
        Path python = pytorch.ensureInstalled();
        ModelConfig model = settings.modelConfig();
        if (model.family() != ModelFamily.TWO_TOWER) {
            throw new IllegalArgumentException(
                    "the twin has two towers only; " + settings.model() + " is " + model.family());
        }
        TrainingSession.setThreads(settings.threads());
        Path work = Files.createTempDirectory("streamlip-learning-parity");
        try {
            Iterator<TrainingBatch> batches;
            EvalSet heldOut = null;
            String streamName;
            if (settings.stream() == Stream.EMOJI) {
                EmojiData data = EmojiData.at(settings.dataDir());
                if (!data.missing().isEmpty()) {
                    throw new IllegalStateException(
                            "the emoji corpus is not in "
                                    + settings.dataDir().toAbsolutePath()
                                    + " (missing "
                                    + data.missing()
                                    + "); run from the folder that holds the demo's data/");
                }
                EmojiTask task =
                        EmojiTask.prepare(
                                data,
                                EmojiLearningBenchmark.DEMO_LANGUAGES,
                                settings.evalClasses(),
                                model,
                                work);
                heldOut = task.heldOut();
                batches =
                        task.stream()
                                .batches(
                                        settings.batch(),
                                        model,
                                        ByteTokenizer.EOS,
                                        EmojiLearningBenchmark.UNLIMITED_PASSES);
                streamName =
                        "emoji corpus as the demo curates and tokenizes it ("
                                + task.stream().size()
                                + " examples, 16 languages, in import order, replayed)";
            } else {
                batches = syntheticBatches(model, settings.batch());
                streamName =
                        "synthetic pairs (SyntheticPairs seed 3), 16 distinct batches of "
                                + settings.batch()
                                + " cycled";
            }
            return train(settings, model, python, batches, heldOut, streamName, work);
        } finally {
            deleteRecursively(work);
        }
    }

    private static Iterator<TrainingBatch> syntheticBatches(ModelConfig model, int batch) {
        ByteTokenizer tokenizer = new ByteTokenizer(model.contextLength());
        List<TrainingBatch> pool =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(batch * 16L, 3),
                                model.imageSize(),
                                tokenizer),
                        batch,
                        model,
                        tokenizer.eosId());
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public TrainingBatch next() {
                return pool.get(next++ % pool.size());
            }
        };
    }

    private Outcome train(
            Settings settings,
            ModelConfig model,
            Path python,
            Iterator<TrainingBatch> batches,
            EvalSet heldOut,
            String streamName,
            Path work)
            throws IOException {
        Path batchFile = work.resolve("batch.safetensors");
        Path initial = work.resolve("initial.safetensors");
        try (TrainingSession djl =
                TrainingSession.create(model, settings.optimizer(), settings.seed())) {
            writeWeights(djl, initial);
            long parameters = TrainerVsPytorchBenchmark.parameters(djl);
            try (PytorchTwin twin = start(python, settings, model, initial, "float32", 0);
                    PytorchTwin permuted =
                            settings.controls().contains(Control.PERMUTED)
                                    ? start(python, settings, model, initial, "float32", 7)
                                    : null;
                    PytorchTwin float64 =
                            settings.controls().contains(Control.FLOAT64)
                                    ? start(python, settings, model, initial, "float64", 0)
                                    : null) {
                if (twin.parameters() != parameters) {
                    throw new IllegalStateException(
                            "the twin has "
                                    + twin.parameters()
                                    + " parameters, the DJL model "
                                    + parameters);
                }
                List<StepRow> rows = new ArrayList<>();
                List<GradientGroup> gradients = List.of();
                List<WeightRow> weights = new ArrayList<>();
                Set<Integer> weightSteps = weightSteps(settings.steps());
                for (int step = 1; step <= settings.steps(); step++) {
                    TrainingBatch batch = batches.next();
                    writeBatch(batch, model, batchFile);
                    if (step == 1) {
                        gradients =
                                compareGradients(
                                        djl, twin, permuted, float64, batch, batchFile, work);
                    }
                    TrainingSession.StepResult d = djl.step(batch);
                    PytorchTwin.Step t = twin.train(batchFile);
                    double permutedLoss =
                            permuted == null ? Double.NaN : permuted.train(batchFile).loss();
                    double float64Loss =
                            float64 == null ? Double.NaN : float64.train(batchFile).loss();
                    rows.add(
                            new StepRow(
                                    step,
                                    d.learningRate(),
                                    t.learningRate(),
                                    d.loss(),
                                    t.loss(),
                                    permutedLoss,
                                    float64Loss,
                                    d.gradientNorm(),
                                    t.gradientNorm()));
                    if (weightSteps.contains(step)) {
                        weights.add(compareWeights(step, djl, twin, permuted, float64, work));
                    }
                    if (step % 25 == 0 || step == 1) {
                        LOG.info(
                                String.format(
                                        Locale.ROOT,
                                        "step %4d  lr %.2e  loss DJL %.6f  PyTorch %.6f  |diff| %.2e",
                                        step,
                                        d.learningRate(),
                                        d.loss(),
                                        t.loss(),
                                        Math.abs(d.loss() - t.loss())));
                    }
                }
                EvalReport djlRecall = null;
                EvalReport twinRecall = null;
                if (heldOut != null) {
                    djlRecall = Evaluator.evaluate(djl, heldOut);
                    Path last = work.resolve("twin-final.safetensors");
                    twin.save(last);
                    try (TrainingSession twinWeights =
                            TrainingSession.create(model, settings.optimizer(), settings.seed())) {
                        loadWeights(twinWeights, last);
                        twinRecall = Evaluator.evaluate(twinWeights, heldOut);
                    }
                }
                return new Outcome(
                        settings,
                        model,
                        parameters,
                        twin.torchVersion(),
                        rows,
                        gradients,
                        weights,
                        djlRecall,
                        twinRecall,
                        streamName);
            }
        }
    }

    private static PytorchTwin start(
            Path python, Settings s, ModelConfig model, Path weights, String dtype, int permute)
            throws IOException {
        return PytorchTwin.startParity(
                python, model, s.batch(), s.threads(), s.optimizer(), weights, dtype, permute);
    }

    /** Steps after which the weights are compared: 1, 2, 5, 10, 20, 50, 100, ... and the last. */
    static Set<Integer> weightSteps(int steps) {
        Set<Integer> out = new TreeSet<>();
        for (int decade = 1; decade <= steps; decade *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (m * decade <= steps) {
                    out.add(m * decade);
                }
            }
        }
        for (int s = 100; s <= steps; s += 100) {
            out.add(s);
        }
        out.add(steps);
        return out;
    }

    // --- gradients and weights ------------------------------------------------------------------

    private static List<GradientGroup> compareGradients(
            TrainingSession djl,
            PytorchTwin twin,
            PytorchTwin permuted,
            PytorchTwin float64,
            TrainingBatch batch,
            Path batchFile,
            Path work)
            throws IOException {
        TrainingSession.Gradients d = djl.gradients(batch);
        Map<String, float[]> ours = new LinkedHashMap<>();
        d.byName().forEach((name, g) -> ours.put(SiglipNames.canonical(name), g));
        Map<String, float[]> theirs = twinTensors(twin, batchFile, work.resolve("g32.safetensors"));
        Map<String, float[]> perm =
                permuted == null
                        ? null
                        : twinTensors(permuted, batchFile, work.resolve("gp.safetensors"));
        Map<String, float[]> exact =
                float64 == null
                        ? null
                        : twinTensors(float64, batchFile, work.resolve("g64.safetensors"));
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String name : ours.keySet()) {
            if (!theirs.containsKey(name)) {
                throw new IllegalStateException("the twin has no gradient of " + name);
            }
            groups.computeIfAbsent(group(name), k -> new ArrayList<>()).add(name);
        }
        List<GradientGroup> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            List<String> names = g.getValue();
            long scalars = names.stream().mapToLong(n -> ours.get(n).length).sum();
            double maxGradient = 0;
            for (String n : names) {
                for (float v : (exact != null ? exact : theirs).get(n)) {
                    maxGradient = Math.max(maxGradient, Math.abs(v));
                }
            }
            out.add(
                    new GradientGroup(
                            g.getKey(),
                            names.size(),
                            scalars,
                            maxGradient,
                            diff(names, ours, theirs),
                            exact == null ? Diff.NONE : diff(names, ours, exact),
                            exact == null ? Diff.NONE : diff(names, theirs, exact),
                            perm == null ? Diff.NONE : diff(names, theirs, perm)));
        }
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "first step: loss DJL %.7f (from the gradient pass)",
                        d.loss()));
        return out;
    }

    private static Map<String, float[]> twinTensors(PytorchTwin twin, Path batchFile, Path out)
            throws IOException {
        twin.gradients(batchFile, out);
        return readTensors(out);
    }

    /**
     * The group of a canonical parameter name: tower and role, e.g. {@code image attention} or
     * {@code t' and b}.
     */
    static String group(String name) {
        if (name.equals("log_temperature") || name.equals("bias")) {
            return "t' and b";
        }
        String tower = name.startsWith("image_") ? "image" : "text";
        String role;
        if (name.contains("_qkv_") || name.contains("_attention_")) {
            role = "attention";
        } else if (name.contains("_mlp_")) {
            role = "mlp";
        } else if (name.contains("final_norm") || name.contains("projection")) {
            role = "final norm + projection";
        } else {
            role = "embedding + positions";
        }
        return tower + " " + role;
    }

    /**
     * Over the tensors {@code names}: the largest absolute difference, the largest per-tensor
     * relative one (max |a - b| over max |b|), and the relative L2 norm of the whole difference.
     */
    static Diff diff(List<String> names, Map<String, float[]> a, Map<String, float[]> b) {
        double maxAbs = 0;
        double maxRel = 0;
        double diffSquares = 0;
        double refSquares = 0;
        for (String n : names) {
            float[] x = a.get(n);
            float[] y = b.get(n);
            if (y == null || x.length != y.length) {
                throw new IllegalStateException(n + " differs in size between the two sides");
            }
            double tensorMax = 0;
            double refMax = 0;
            for (int i = 0; i < x.length; i++) {
                double dd = Math.abs((double) x[i] - y[i]);
                tensorMax = Math.max(tensorMax, dd);
                refMax = Math.max(refMax, Math.abs(y[i]));
                diffSquares += dd * dd;
                refSquares += (double) y[i] * y[i];
            }
            maxAbs = Math.max(maxAbs, tensorMax);
            if (refMax > 0) {
                maxRel = Math.max(maxRel, tensorMax / refMax);
            }
        }
        return new Diff(maxAbs, maxRel, refSquares > 0 ? Math.sqrt(diffSquares / refSquares) : 0);
    }

    private static WeightRow compareWeights(
            int step,
            TrainingSession djl,
            PytorchTwin twin,
            PytorchTwin permuted,
            PytorchTwin float64,
            Path work)
            throws IOException {
        Map<String, float[]> ours = weights(djl);
        List<String> names = List.copyOf(ours.keySet());
        Map<String, float[]> theirs = saved(twin, work.resolve("w32.safetensors"));
        Diff permutedDiff =
                permuted == null
                        ? Diff.NONE
                        : diff(names, theirs, saved(permuted, work.resolve("wp.safetensors")));
        Map<String, float[]> exact =
                float64 == null ? null : saved(float64, work.resolve("w64.safetensors"));
        Diff float64Diff = exact == null ? Diff.NONE : diff(names, theirs, exact);
        Map<String, double[]> perTensor = new LinkedHashMap<>();
        for (String n : names) {
            perTensor.put(
                    n,
                    new double[] {
                        diff(List.of(n), ours, theirs).maxAbs(),
                        exact == null ? Double.NaN : diff(List.of(n), theirs, exact).maxAbs()
                    });
        }
        return new WeightRow(step, diff(names, ours, theirs), permutedDiff, float64Diff, perTensor);
    }

    private static Map<String, float[]> saved(PytorchTwin twin, Path out) throws IOException {
        twin.save(out);
        return readTensors(out);
    }

    /** The DJL model's trainable weights by canonical name, in the model's order. */
    static Map<String, float[]> weights(TrainingSession session) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : session.model().getParameters()) {
            out.put(SiglipNames.canonical(p.getKey()), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /**
     * Writes the DJL model's weights as safetensors (float32) under the canonical names, in the
     * model's order: what the twin starts from.
     */
    static void writeWeights(TrainingSession session, Path file) throws IOException {
        List<Safetensors.Entry> entries = new ArrayList<>();
        for (Pair<String, Parameter> p : session.model().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] values = a.toFloatArray();
            entries.add(
                    new Safetensors.Entry(
                            SiglipNames.canonical(p.getKey()),
                            a.getShape().getShape(),
                            () -> values));
        }
        Safetensors.write(file, entries, Map.of("format", "pt"));
    }

    /** Copies the weights in {@code file} (canonical names, every parameter) into the model. */
    static void loadWeights(TrainingSession session, Path file) throws IOException {
        Map<String, float[]> values = readTensors(file);
        NDManager manager = session.manager();
        for (Pair<String, Parameter> p : session.model().getParameters()) {
            String name = SiglipNames.canonical(p.getKey());
            float[] v = values.get(name);
            NDArray target = p.getValue().getArray();
            if (v == null || v.length != target.getShape().size()) {
                throw new IllegalArgumentException(
                        file + " has no tensor " + name + " of its size");
            }
            try (NDArray source = manager.create(v, target.getShape())) {
                AdamW.copyInto(target, source);
            }
        }
    }

    static Map<String, float[]> readTensors(Path file) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            for (String name : reader.tensors().keySet()) {
                out.put(name, reader.read(name));
            }
        }
        return out;
    }

    /** A batch as safetensors: images (B, 3, H, W), ids and mask (B, S), all float32. */
    static void writeBatch(TrainingBatch batch, ModelConfig model, Path file) throws IOException {
        int b = batch.size();
        int s = model.contextLength();
        float[] ids = new float[batch.tokenIds().length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.tokenIds()[i];
        }
        Safetensors.write(
                file,
                List.of(
                        new Safetensors.Entry(
                                "images",
                                new long[] {b, 3, model.imageSize(), model.imageSize()},
                                batch::images),
                        new Safetensors.Entry("ids", new long[] {b, s}, () -> ids),
                        new Safetensors.Entry("mask", new long[] {b, s}, batch::mask)),
                Map.of());
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
