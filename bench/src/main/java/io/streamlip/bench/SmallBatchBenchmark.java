package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench small-batch}: SigLIP's small-batch claim on our data (SigLIP App. B, Table
 * 5: the sigmoid loss ahead of the softmax loss at small batches). Sigmoid and softmax models are
 * trained from the same seed on the same examples in the same order, for the same number of
 * examples at every batch size B ∈ {32, 64, 128, 256, 512} (so fewer steps at larger B, as in the
 * paper), then evaluated zero-shot on the held-out vendor: trained on the emoji stream's
 * apple/google/facebook drawings ({@link EmojiStream}, the demo's data without Kafka), evaluated on
 * twitter's ({@link EmojiEvalSet}). Without the emoji corpus it falls back to the synthetic shapes
 * (and says so).
 *
 * <p>Both losses use the same model (the small preset, the demo's), AdamW at the same peak rate
 * with 10 % warmup and a cosine over the run, and the same initial {@code t' = log 10}. Examples
 * seen: {@code -Dstreamlip.smallbatch.examples} (default 16,384, 32 steps at B = 512); {@link
 * #main} takes key=value options for other settings.
 */
public final class SmallBatchBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(SmallBatchBenchmark.class);

    /**
     * One comparison.
     *
     * @param examples examples seen by every run (default 16,384)
     * @param batchSizes the batch sizes compared
     * @param model the model's shape (default the small preset)
     * @param learningRate AdamW's peak rate for every run (default 5e-4, the trainer's default)
     * @param threads PyTorch threads (default 2)
     * @param languages locales of the emoji stream and held-out set (default en, de, ru, ja)
     * @param evalClasses held-out emoji classes (default 300)
     * @param seed initialisation seed, the same for every run (default 42)
     */
    public record Settings(
            int examples,
            List<Integer> batchSizes,
            ModelConfig model,
            double learningRate,
            int threads,
            List<String> languages,
            int evalClasses,
            int seed) {

        public Settings {
            batchSizes = List.copyOf(batchSizes);
            languages = List.copyOf(languages);
            int largest = batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (examples < largest || largest < 2) {
                throw new IllegalArgumentException(
                        "need batch sizes >= 2 and at least one largest batch of examples, got "
                                + examples
                                + " examples for "
                                + batchSizes);
            }
        }

        /** The documented defaults. */
        public static Settings defaults() {
            return builder().build();
        }

        /** A short comparison: 1,024 examples at B = 32 and 64, 50 held-out classes. */
        static Settings quick() {
            return defaults().toBuilder()
                    .examples(1024)
                    .batchSizes(List.of(32, 64))
                    .evalClasses(50)
                    .build();
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from this comparison. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /**
         * Builds {@link Settings}; each setting starts at its default and is named as its
         * component.
         */
        public static final class Builder {
            private int examples = Integer.getInteger("streamlip.smallbatch.examples", 16_384);
            private List<Integer> batchSizes = List.of(32, 64, 128, 256, 512);
            private ModelConfig model = ModelConfig.small(new ByteTokenizer(32).vocabSize());
            private double learningRate = 5e-4;
            private int threads = 2;
            private List<String> languages = EmojiLearningBenchmark.QUICK_LANGUAGES;
            private int evalClasses = 300;
            private int seed = 42;

            private Builder() {}

            private Builder(Settings c) {
                examples = c.examples;
                batchSizes = c.batchSizes;
                model = c.model;
                learningRate = c.learningRate;
                threads = c.threads;
                languages = c.languages;
                evalClasses = c.evalClasses;
                seed = c.seed;
            }

            public Builder examples(int value) {
                examples = value;
                return this;
            }

            public Builder batchSizes(List<Integer> value) {
                batchSizes = value;
                return this;
            }

            public Builder model(ModelConfig value) {
                model = value;
                return this;
            }

            public Builder learningRate(double value) {
                learningRate = value;
                return this;
            }

            public Builder threads(int value) {
                threads = value;
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

            public Builder seed(int value) {
                seed = value;
                return this;
            }

            /** The comparison; the record's constructor checks it. */
            public Settings build() {
                return new Settings(
                        examples,
                        batchSizes,
                        model,
                        learningRate,
                        threads,
                        languages,
                        evalClasses,
                        seed);
            }
        }
    }

    /** Training data and held-out set of one comparison. */
    private record Data(
            String source, IntFunction<Iterator<TrainingBatch>> batches, EvalSet heldOut) {}

    private final Path dataDir;

    public SmallBatchBenchmark() {
        this(Path.of(System.getProperty("streamlip.data", "data")));
    }

    public SmallBatchBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "small-batch";
    }

    @Override
    public String description() {
        return "sigmoid vs softmax loss at B = 32..512, same examples seen: zero-shot accuracy on"
                + " the held-out emoji vendor (twitter)";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        Settings settings = options.quick() ? Settings.quick() : Settings.defaults();
        if (options.threads() > 0) {
            settings = settings.toBuilder().threads(options.threads()).build();
        }
        return measure(settings, EmojiData.at(dataDir));
    }

    /** Trains and evaluates every (batch size, loss) pair of {@code settings}. */
    public static BenchResult measure(Settings settings, EmojiData emoji) throws IOException {
        TrainingSession.setThreads(settings.threads());
        Path work = Files.createTempDirectory("streamlip-small-batch");
        try {
            Data data =
                    emoji.missing().isEmpty()
                            ? emojiData(settings, emoji, work)
                            : syntheticData(settings, work, emoji);
            BenchResult result =
                    new BenchResult(
                            "small-batch: sigmoid vs softmax, same examples seen, zero-shot on the"
                                    + " held-out vendor",
                            List.of(
                                    "B",
                                    "steps",
                                    "sigmoid zero-shot",
                                    "softmax zero-shot",
                                    "sigmoid - softmax",
                                    "sigmoid i2t@1",
                                    "softmax i2t@1",
                                    "sigmoid t2i@1",
                                    "softmax t2i@1"));
            List<Map<String, Object>> rows = new ArrayList<>();
            double chance = Double.NaN;
            for (int batch : settings.batchSizes()) {
                int steps = settings.examples() / batch;
                EvalReport.Metrics sigmoid =
                        train(settings, data, batch, steps, LossConfig.defaults());
                EvalReport.Metrics softmax =
                        train(settings, data, batch, steps, LossConfig.softmax());
                chance = sigmoid.chanceR1();
                result.row(
                        batch,
                        steps,
                        sigmoid.zeroshotAcc(),
                        softmax.zeroshotAcc(),
                        sigmoid.zeroshotAcc() - softmax.zeroshotAcc(),
                        sigmoid.i2tR1(),
                        softmax.i2tR1(),
                        sigmoid.t2iR1(),
                        softmax.t2iR1());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batch", batch);
                row.put("steps", steps);
                row.put("examples", (long) steps * batch);
                row.put("sigmoid", sigmoid);
                row.put("softmax", softmax);
                rows.add(row);
            }
            result.put("rows", rows)
                    .put("data", data.source())
                    .put("examples", settings.examples())
                    .put("model", settings.model())
                    .put("learning_rate", settings.learningRate())
                    .put("threads", settings.threads());
            result.note(
                    String.format(
                            Locale.ROOT,
                            "data: %s; %d examples seen per run (steps = examples / B); model %s;"
                                    + " AdamW peak %.1e, 10%% warmup, cosine; seed %d; %d threads;"
                                    + " recall@1 by chance %.4f",
                            data.source(),
                            settings.examples(),
                            settings.model().name(),
                            settings.learningRate(),
                            settings.seed(),
                            settings.threads(),
                            chance));
            return result;
        } finally {
            FileUtils.deleteQuietly(work.toFile());
        }
    }

    private static EvalReport.Metrics train(
            Settings settings, Data data, int batch, int steps, LossConfig loss) {
        OptimizerConfig optimizer =
                OptimizerConfig.builder()
                        .learningRate(settings.learningRate())
                        .minLearningRate(
                                Math.min(
                                        OptimizerConfig.defaults().minLearningRate(),
                                        settings.learningRate()))
                        .warmupSteps(Math.max(1, steps / 10))
                        .scheduleSteps(steps)
                        .build();
        long start = System.nanoTime();
        Iterator<TrainingBatch> batches = data.batches().apply(batch);
        List<Float> losses = new ArrayList<>();
        try (TrainingSession session =
                TrainingSession.create(settings.model(), optimizer, loss, settings.seed())) {
            for (int s = 0; s < steps && batches.hasNext(); s++) {
                losses.add(session.step(batches.next()).loss());
            }
            EvalReport report = Evaluator.evaluate(session, data.heldOut());
            EvalReport.Metrics m = report.mean();
            LOG.info(
                    String.format(
                            Locale.ROOT,
                            "B %d %s: %d steps in %.0f s, loss %.3f -> %.3f, zero-shot %.4f,"
                                    + " i2t@1 %.4f",
                            batch,
                            loss.kind().name().toLowerCase(Locale.ROOT),
                            losses.size(),
                            (System.nanoTime() - start) / 1e9,
                            losses.isEmpty() ? Double.NaN : losses.get(0),
                            losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1),
                            m.zeroshotAcc(),
                            m.i2tR1()));
            return m;
        }
    }

    private static Data emojiData(Settings settings, EmojiData emoji, Path work)
            throws IOException {
        EmojiTask task =
                EmojiTask.prepare(
                        emoji,
                        settings.languages(),
                        settings.evalClasses(),
                        settings.model(),
                        work);
        EmojiStream stream = task.stream();
        // Enough passes for the examples asked for, whatever the stream's size.
        int passes = 1 + settings.examples() / Math.max(1, stream.size());
        return new Data(
                String.format(
                        Locale.ROOT,
                        "emoji stream (%d examples, %s; train apple/google/facebook, held-out"
                                + " twitter, %d classes)",
                        stream.size(),
                        settings.languages(),
                        settings.evalClasses()),
                b -> stream.batches(b, settings.model(), ByteTokenizer.EOS, passes),
                task.heldOut());
    }

    private static Data syntheticData(Settings settings, Path work, EmojiData emoji) {
        LOG.warn(
                "the emoji corpus is missing ({}): falling back to the synthetic shapes",
                emoji.missing().stream().map(EmojiData.NpmPackage::tarballName).toList());
        ByteTokenizer tokenizer = new ByteTokenizer(settings.model().contextLength());
        var examples =
                PreprocessedExamples.of(
                        new SyntheticPairs().pairs(settings.examples(), settings.seed()),
                        settings.model().imageSize(),
                        tokenizer);
        Path evalFolder = work.resolve("synthetic-eval");
        new SyntheticPairs().writeEvalSet(evalFolder, 2, 99);
        EvalSet eval = EvalSet.load(evalFolder, settings.model(), tokenizer);
        return new Data(
                "synthetic shapes (emoji corpus missing)",
                b ->
                        PreprocessedExamples.batches(
                                        examples, b, settings.model(), tokenizer.eosId())
                                .iterator(),
                eval);
    }

    /**
     * Runs one comparison with key=value options: {@code examples=}, {@code batches=32,64,...},
     * {@code model=tiny|small}, {@code lr=}, {@code threads=}, {@code languages=en,de}, {@code
     * classes=}, {@code seed=}, {@code data=DIR}; prints the table, then the JSON.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> kv = BenchArguments.parse(args);
        Settings d = Settings.defaults();
        int vocab = new ByteTokenizer(32).vocabSize();
        Settings settings =
                d.toBuilder()
                        .examples(Integer.parseInt(kv.getOrDefault("examples", "" + d.examples())))
                        .batchSizes(
                                kv.containsKey("batches")
                                        ? Arrays.stream(kv.get("batches").split(","))
                                                .map(String::trim)
                                                .map(Integer::valueOf)
                                                .toList()
                                        : d.batchSizes())
                        .model(
                                kv.containsKey("model")
                                        ? ModelConfig.preset(kv.get("model"), vocab)
                                        : d.model())
                        .learningRate(
                                Double.parseDouble(kv.getOrDefault("lr", "" + d.learningRate())))
                        .threads(Integer.parseInt(kv.getOrDefault("threads", "" + d.threads())))
                        .languages(
                                kv.containsKey("languages")
                                        ? List.of(kv.get("languages").split(","))
                                        : d.languages())
                        .evalClasses(
                                Integer.parseInt(kv.getOrDefault("classes", "" + d.evalClasses())))
                        .seed(Integer.parseInt(kv.getOrDefault("seed", "" + d.seed())))
                        .build();
        BenchResult result =
                measure(settings, EmojiData.at(Path.of(kv.getOrDefault("data", "data"))));
        System.out.println(result.toTable());
        System.out.println(result.toJson());
    }
}
