package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench emoji-learning}: what the demo's trainer learns from the real emoji x CLDR
 * stream in a fixed CPU time, measured on the held-out twitter style, without Kafka or Flink.
 *
 * <p>The stream is the demo's (corpus import order, curated, deduplicated and tokenized by the
 * jobs' own code: {@link EmojiStream}), read in the order the demo's trainer reads it; the held-out
 * set is the demo's ({@link EmojiEvalSet}, 500 classes, the same languages). Training runs a {@link
 * TrainingSession} for a fixed wall time; evaluations during the run stop the clock. Beside the
 * held-out figures it evaluates the same classes drawn by a training vendor (google), which tells a
 * model that learned nothing from one that learned the training styles but does not transfer.
 *
 * <p>A full run trains the trainer's defaults ({@link TrainerConfig#defaults()}, which the demo
 * uses) for 6 minutes, reading the stream as often as that allows (the demo's trainer replays its
 * finite import): the demo's 8 minutes less what the Flink jobs take of the CPU while they import,
 * and the pause before a replay. {@code --quick} trains 45 s on 4 languages. {@link #main} runs any
 * variant (model shape, image size, batch, learning rate and schedule, context length, pooling) for
 * experiments.
 */
public final class EmojiLearningBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(EmojiLearningBenchmark.class);

    /**
     * The demo's languages, 16 in 8 scripts ({@link EmojiCorpus#DEMO_LANGUAGES}, the one list the
     * app's {@code DemoConfig}, this benchmark and the captioner presets share).
     */
    public static final List<String> DEMO_LANGUAGES = EmojiCorpus.DEMO_LANGUAGES;

    static final List<String> QUICK_LANGUAGES = List.of("en", "de", "ru", "ja");

    /** As many passes over the stream as the time allows. */
    static final int UNLIMITED_PASSES = 1000;

    /** The training vendor whose drawings of the held-out classes measure the fit. */
    static final String TRAINING_STYLE_VENDOR = "google";

    private final Path dataDir;

    /** Reads the tarballs from {@code data} (the demo's default folder), relative to the cwd. */
    public EmojiLearningBenchmark() {
        this(Path.of(System.getProperty("streamlip.data", "data")));
    }

    public EmojiLearningBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * One experiment.
     *
     * @param label names the run in the table
     * @param languages locales trained and evaluated on
     * @param evalClasses emoji classes sampled for the held-out set (the demo's 500)
     * @param model the model's shape; its image size is also the tokenize job's
     * @param batchSize examples per step
     * @param optimizer AdamW and its schedule
     * @param budget training wall time (evaluations excluded)
     * @param threads PyTorch intra-op threads
     * @param passes how often the stream may be read (the demo's trainer: as often as its time
     *     allows, {@link #UNLIMITED_PASSES}); the run ends early when it is used up
     * @param evalEvery training time between interim evaluations for the learning curve; null for
     *     the final one only
     * @param seed seeds the initialisation
     */
    public record Spec(
            String label,
            List<String> languages,
            int evalClasses,
            ModelConfig model,
            int batchSize,
            OptimizerConfig optimizer,
            Duration budget,
            int threads,
            int passes,
            Duration evalEvery,
            int seed) {

        public Spec {
            languages = List.copyOf(languages);
            if (batchSize < 2 || threads < 1 || passes < 1 || evalClasses < 0) {
                throw new IllegalArgumentException(
                        "need batchSize >= 2, threads >= 1, passes >= 1, evalClasses >= 0");
            }
        }

        /**
         * The demo's trainer: {@link TrainerConfig#defaults()} on the demo's languages, reading the
         * stream again whenever it is used up, as the demo's trainer does ({@code
         * replayAfterIdle}).
         */
        public static Spec demo(Duration budget) {
            return builder().budget(budget).build();
        }

        /** A builder starting from the demo's trainer, trained for 6 minutes ({@link #demo}). */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from this experiment. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /** Builds {@link Spec}; each setting starts at the demo's and is named as its component. */
        public static final class Builder {
            private static final TrainerConfig DEMO_TRAINER = TrainerConfig.defaults();

            private String label = "demo defaults";
            private List<String> languages = DEMO_LANGUAGES;
            private int evalClasses = 500;
            private ModelConfig model = DEMO_TRAINER.model();
            private int batchSize = DEMO_TRAINER.batchSize();
            private OptimizerConfig optimizer = DEMO_TRAINER.optimizer();
            private Duration budget = Duration.ofMinutes(6);
            private int threads = DEMO_TRAINER.threads();
            private int passes = UNLIMITED_PASSES;
            private Duration evalEvery = null;
            private int seed = DEMO_TRAINER.seed();

            private Builder() {}

            private Builder(Spec c) {
                label = c.label;
                languages = c.languages;
                evalClasses = c.evalClasses;
                model = c.model;
                batchSize = c.batchSize;
                optimizer = c.optimizer;
                budget = c.budget;
                threads = c.threads;
                passes = c.passes;
                evalEvery = c.evalEvery;
                seed = c.seed;
            }

            public Builder label(String value) {
                label = value;
                return this;
            }

            public Builder languages(List<String> value) {
                languages = value;
                return this;
            }

            public Builder evalClasses(int value) {
                evalClasses = value;
                return this;
            }

            public Builder model(ModelConfig value) {
                model = value;
                return this;
            }

            public Builder batchSize(int value) {
                batchSize = value;
                return this;
            }

            public Builder optimizer(OptimizerConfig value) {
                optimizer = value;
                return this;
            }

            public Builder budget(Duration value) {
                budget = value;
                return this;
            }

            public Builder threads(int value) {
                threads = value;
                return this;
            }

            public Builder passes(int value) {
                passes = value;
                return this;
            }

            public Builder evalEvery(Duration value) {
                evalEvery = value;
                return this;
            }

            public Builder seed(int value) {
                seed = value;
                return this;
            }

            /** The experiment; the record's constructor checks it. */
            public Spec build() {
                return new Spec(
                        label,
                        languages,
                        evalClasses,
                        model,
                        batchSize,
                        optimizer,
                        budget,
                        threads,
                        passes,
                        evalEvery,
                        seed);
            }
        }

        /** One line: the experiment's label and everything it sets. */
        public String describe() {
            ModelConfig m = model;
            return String.format(
                    Locale.ROOT,
                    "%s: %d px / patch %d, width %d, depth %d, heads %d, embed %d, context %d, %s"
                            + " pooling; batch %d; lr %.1e warmup %d cosine to step %d; wd %.0e;"
                            + " %d threads; %s; %d languages, %d held-out classes",
                    label,
                    m.imageSize(),
                    m.patchSize(),
                    m.imageWidth(),
                    m.imageDepth(),
                    m.imageHeads(),
                    m.embedDim(),
                    m.contextLength(),
                    m.textPooling().name().toLowerCase(Locale.ROOT),
                    batchSize,
                    optimizer.learningRate(),
                    optimizer.warmupSteps(),
                    optimizer.scheduleSteps(),
                    optimizer.weightDecay(),
                    threads,
                    passes >= UNLIMITED_PASSES
                            ? "the stream replayed while time lasts"
                            : passes + " pass(es) at most",
                    languages.size(),
                    evalClasses);
        }
    }

    /**
     * A point of the learning curve.
     *
     * @param seconds training time so far
     * @param step steps so far
     * @param loss mean loss of the last 20 steps
     * @param heldOut the held-out evaluation
     */
    public record CurvePoint(double seconds, long step, double loss, EvalReport heldOut) {}

    /**
     * What one experiment measured.
     *
     * @param spec the experiment
     * @param examples examples in the stream
     * @param steps steps trained
     * @param seconds training time
     * @param exhausted whether the stream ran out before the budget did
     * @param firstLoss mean loss of the first 20 steps
     * @param lastLoss mean loss of the last 50 steps
     * @param heldOut the final evaluation on the held-out twitter style
     * @param trainingStyle the same classes and texts drawn by {@link #TRAINING_STYLE_VENDOR}
     * @param curve interim evaluations
     */
    public record Outcome(
            Spec spec,
            int examples,
            long steps,
            double seconds,
            boolean exhausted,
            double firstLoss,
            double lastLoss,
            EvalReport heldOut,
            EvalReport trainingStyle,
            List<CurvePoint> curve) {

        public double examplesPerSecond() {
            return steps * (double) spec.batchSize() / seconds;
        }
    }

    @Override
    public String name() {
        return "emoji-learning";
    }

    @Override
    public String description() {
        return "held-out (twitter) retrieval after the demo's CPU training time on the emoji stream"
                + " (no Kafka/Flink)";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        Spec spec = Spec.demo(options.quick() ? Duration.ofSeconds(45) : Duration.ofMinutes(6));
        if (options.quick()) {
            spec =
                    spec.toBuilder()
                            .label("demo defaults (quick)")
                            .languages(QUICK_LANGUAGES)
                            .evalClasses(100)
                            .build();
        }
        if (options.threads() > 0) {
            spec = spec.toBuilder().threads(options.threads()).build();
        }
        EmojiData data = EmojiData.at(dataDir);
        if (!data.missing().isEmpty()) {
            return skipped(data);
        }
        return EmojiLearningReport.of(List.of(measure(data, spec)));
    }

    /** The result of a run without the corpus: says what is missing and how to get it. */
    private BenchResult skipped(EmojiData data) {
        String why =
                "skipped: the emoji corpus is not in "
                        + dataDir.toAbsolutePath()
                        + " (missing "
                        + data.missing().stream().map(EmojiData.NpmPackage::tarballName).toList()
                        + "); fetch it with `npm pack` as the demo does (streamlip demo fetches it"
                        + " into data/), or run from the folder that holds data/, or set"
                        + " -Dstreamlip.data=DIR";
        LOG.warn(why);
        return new BenchResult(EmojiLearningReport.TITLE, List.of("run", "status"))
                .row("demo defaults", "skipped")
                .put("skipped", true)
                .put("reason", why)
                .note(why);
    }

    /** Prepares the stream and the evaluation sets, trains, evaluates. */
    public static Outcome measure(EmojiData data, Spec spec) throws IOException {
        LOG.info("experiment {}", spec.describe());
        Path work = Files.createTempDirectory("streamlip-emoji-learning");
        try {
            EmojiTask task =
                    EmojiTask.prepare(
                            data, spec.languages(), spec.evalClasses(), spec.model(), work);
            Path trainingStyle = work.resolve("training-style");
            EmojiStream.writeTrainingStyleSet(
                    data,
                    spec.languages(),
                    TRAINING_STYLE_VENDOR,
                    task.heldOutFolder(),
                    trainingStyle);
            return train(
                    spec,
                    task.stream(),
                    task.heldOut(),
                    EmojiTask.load(trainingStyle, spec.model()));
        } finally {
            deleteRecursively(work);
        }
    }

    static Outcome train(Spec spec, EmojiStream stream, EvalSet heldOut, EvalSet trainingStyle) {
        TrainingSession.setThreads(spec.threads());
        Iterator<TrainingBatch> batches =
                stream.batches(spec.batchSize(), spec.model(), ByteTokenizer.EOS, spec.passes());
        List<Float> losses = new ArrayList<>();
        List<CurvePoint> curve = new ArrayList<>();
        long budget = spec.budget().toNanos();
        long trained = 0; // nanoseconds of training, evaluations excluded
        long nextEval = spec.evalEvery() == null ? Long.MAX_VALUE : spec.evalEvery().toNanos();
        boolean exhausted = false;
        try (TrainingSession session =
                TrainingSession.create(spec.model(), spec.optimizer(), spec.seed())) {
            while (trained < budget) {
                long t = System.nanoTime();
                if (!batches.hasNext()) {
                    exhausted = true;
                    break;
                }
                TrainingSession.StepResult step = session.step(batches.next());
                trained += System.nanoTime() - t;
                if (step.skipped()) {
                    continue;
                }
                losses.add(step.loss());
                if (losses.size() % 100 == 0) {
                    LOG.info(
                            String.format(
                                    Locale.ROOT,
                                    "%5.0f s  step %5d  loss %.3f  lr %.2e  t %.2f  b %.2f",
                                    trained / 1e9,
                                    losses.size(),
                                    LossMeans.tail(losses, 20),
                                    step.learningRate(),
                                    step.temperature(),
                                    step.bias()));
                }
                if (trained >= nextEval) {
                    EvalReport r = Evaluator.evaluate(session, heldOut);
                    curve.add(
                            new CurvePoint(
                                    trained / 1e9, losses.size(), LossMeans.tail(losses, 20), r));
                    LOG.info(
                            String.format(
                                    Locale.ROOT,
                                    "%5.0f s  step %5d  held-out i2t@1 %.4f  i2t@5 %.4f  t2i@1 %.4f"
                                            + "  zero-shot %.4f",
                                    trained / 1e9,
                                    losses.size(),
                                    r.mean().i2tR1(),
                                    r.mean().i2tR5(),
                                    r.mean().t2iR1(),
                                    r.mean().zeroshotAcc()));
                    nextEval += spec.evalEvery().toNanos();
                }
            }
            if (exhausted) {
                LOG.info(
                        "the stream ({} examples, {} pass(es)) was used up after {} s",
                        stream.size(),
                        spec.passes(),
                        Math.round(trained / 1e9));
            }
            EvalReport held = Evaluator.evaluate(session, heldOut);
            EvalReport fit = Evaluator.evaluate(session, trainingStyle);
            LOG.info("held-out (twitter):\n{}", held.toTable());
            return new Outcome(
                    spec,
                    stream.size(),
                    losses.size(),
                    trained / 1e9,
                    exhausted,
                    LossMeans.head(losses, 20),
                    LossMeans.tail(losses, 50),
                    held,
                    fit,
                    curve);
        }
    }

    /**
     * Runs one experiment from {@code key=value} arguments over the demo's defaults and prints its
     * table and JSON, e.g. {@code minutes=5 patch=4 batch=128 lr=1e-3}. Keys: {@code label,
     * minutes, seconds, image, patch, width, depth, heads, embed, mlp, context, pooling
     * (mean|last), batch, lr, minlr, warmup, schedule, wd, clip, threads, passes, evalevery
     * (seconds), seed, langs (a count of the demo's languages or a comma list), classes, data}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> kv = BenchArguments.parse(args);
        Spec spec = fromArguments(kv);
        EmojiData data = EmojiData.at(Path.of(kv.getOrDefault("data", "data")));
        Outcome outcome = measure(data, spec);
        BenchResult result = EmojiLearningReport.of(List.of(outcome));
        System.out.println(result.toTable());
        System.out.println(result.toJson());
    }

    private static final List<String> MODEL_KEYS =
            List.of(
                    "image",
                    "patch",
                    "width",
                    "depth",
                    "heads",
                    "textwidth",
                    "textdepth",
                    "textheads",
                    "mlp",
                    "embed",
                    "context",
                    "pooling",
                    "imagepooling");

    static Spec fromArguments(Map<String, String> kv) {
        Spec demo = Spec.demo(Duration.ofMinutes(5));
        ModelConfig m = demo.model();
        int image = intArg(kv, "image", m.imageSize());
        int width = intArg(kv, "width", m.imageWidth());
        int heads = intArg(kv, "heads", m.imageHeads());
        int depth = intArg(kv, "depth", m.imageDepth());
        String pooling = kv.getOrDefault("pooling", m.textPooling().name());
        ModelConfig model =
                m.toBuilder()
                        .name(MODEL_KEYS.stream().anyMatch(kv::containsKey) ? "custom" : m.name())
                        .imageSize(image)
                        .patchSize(intArg(kv, "patch", m.patchSize()))
                        .imageWidth(width)
                        .imageDepth(depth)
                        .imageHeads(heads)
                        .textWidth(intArg(kv, "textwidth", width))
                        .textDepth(intArg(kv, "textdepth", depth))
                        .textHeads(intArg(kv, "textheads", heads))
                        .mlpRatio(intArg(kv, "mlp", m.mlpRatio()))
                        .embedDim(intArg(kv, "embed", m.embedDim()))
                        .contextLength(intArg(kv, "context", m.contextLength()))
                        .textPooling(
                                ModelConfig.TextPooling.valueOf(pooling.toUpperCase(Locale.ROOT)))
                        .imagePooling(
                                ModelConfig.ImagePooling.valueOf(
                                        kv.getOrDefault("imagepooling", m.imagePooling().name())
                                                .toUpperCase(Locale.ROOT)))
                        .build();
        OptimizerConfig o = demo.optimizer();
        OptimizerConfig optimizer =
                o.toBuilder()
                        .learningRate(doubleArg(kv, "lr", o.learningRate()))
                        .minLearningRate(
                                Math.min(
                                        doubleArg(kv, "minlr", o.minLearningRate()),
                                        doubleArg(kv, "lr", o.learningRate())))
                        .warmupSteps(intArg(kv, "warmup", o.warmupSteps()))
                        .scheduleSteps(intArg(kv, "schedule", o.scheduleSteps()))
                        .weightDecay(doubleArg(kv, "wd", o.weightDecay()))
                        .clipNorm(doubleArg(kv, "clip", o.clipNorm()))
                        .build();
        Duration budget =
                kv.containsKey("seconds")
                        ? Duration.ofSeconds(Long.parseLong(kv.get("seconds")))
                        : Duration.ofMillis(Math.round(doubleArg(kv, "minutes", 5) * 60_000));
        String langs = kv.getOrDefault("langs", String.valueOf(DEMO_LANGUAGES.size()));
        List<String> languages =
                langs.matches("\\d+")
                        ? DEMO_LANGUAGES.subList(0, Integer.parseInt(langs))
                        : Arrays.asList(langs.split(","));
        String evalEvery = kv.get("evalevery");
        return demo.toBuilder()
                .label(kv.getOrDefault("label", String.join(" ", argumentsOf(kv))))
                .languages(languages)
                .evalClasses(intArg(kv, "classes", demo.evalClasses()))
                .model(model)
                .batchSize(intArg(kv, "batch", demo.batchSize()))
                .optimizer(optimizer)
                .budget(budget)
                .threads(intArg(kv, "threads", demo.threads()))
                .passes(intArg(kv, "passes", 1))
                .evalEvery(evalEvery == null ? null : Duration.ofSeconds(Long.parseLong(evalEvery)))
                .seed(intArg(kv, "seed", demo.seed()))
                .build();
    }

    private static List<String> argumentsOf(Map<String, String> kv) {
        List<String> out = new ArrayList<>();
        kv.forEach(
                (k, v) -> {
                    if (!k.equals("data")) {
                        out.add(k + "=" + v);
                    }
                });
        return out.isEmpty() ? List.of("demo defaults") : out;
    }

    private static int intArg(Map<String, String> kv, String key, int fallback) {
        return kv.containsKey(key) ? Integer.parseInt(kv.get(key)) : fallback;
    }

    private static double doubleArg(Map<String, String> kv, String key, double fallback) {
        return kv.containsKey(key) ? Double.parseDouble(kv.get(key)) : fallback;
    }

    private static void deleteRecursively(Path root) {
        try {
            PathUtils.deleteDirectory(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
