package io.streamlip.bench;

import ai.djl.nn.Block;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.PeakMemory;
import io.streamlip.trainer.eval.CaptionEvaluator;
import io.streamlip.trainer.eval.CaptionReport;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code streamlip bench families}, in a process of its own (so that its memory is its
 * own): reads the demo's emoji stream and held-out set for the variant's model ({@link EmojiTask};
 * rendered captions for CLIPPO) from the cache another process prepared them in (or prepares them
 * itself, run on its own), trains the variant at the demo trainer's batch and optimizer for a
 * budget of the process's CPU time ({@link CpuBudget}), evaluates on the held-out set and writes a
 * {@link FamilyRunResult} as JSON.
 *
 * <p>{@link #main} takes {@code key=value} arguments: {@code variant, seed, budget} (CPU seconds),
 * {@code threads, langs} (a count of the demo's languages or a comma list), {@code classes, batch,
 * out} (the JSON file), {@code data} (the emoji corpus folder), {@code cache} (the prepared
 * streams) and {@code prepare}: {@code self} (default: prepare what the cache lacks), {@value
 * #PREPARE_ONLY} (prepare, do not train) or {@value #PREPARED} (read the cache only).
 */
final class FamilyTrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(FamilyTrainingRun.class);
    // NaN (a loss of no steps, a metric of no language) travels as NaN
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build();
    private static final double MIB = 1024.0 * 1024.0;

    /**
     * {@code prepare=only}: writes the run's stream and held-out sets into the cache and ends
     * without training.
     */
    static final String PREPARE_ONLY = "only";

    /**
     * {@code prepare=done}: the run reads its stream and held-out sets from the cache and refuses
     * to prepare them itself (its memory figures then compare with every other such run's).
     */
    static final String PREPARED = "done";

    private FamilyTrainingRun() {}

    /**
     * One run's settings.
     *
     * @param variant the model
     * @param seed its initialisation's seed
     * @param budgetCpuSeconds CPU seconds of training
     * @param threads PyTorch intra-op threads
     * @param languages the stream's and the held-out set's languages
     * @param evalClasses held-out classes for retrieval (the demo's 500)
     * @param captionClasses held-out classes a captioner captions (greedy decoding of every image
     *     in every language is the slowest part of a run: fewer than for retrieval)
     * @param batchSize examples per step (the demo's 128)
     */
    record Settings(
            FamilyVariant variant,
            int seed,
            double budgetCpuSeconds,
            int threads,
            List<String> languages,
            int evalClasses,
            int captionClasses,
            int batchSize) {

        Settings {
            languages = List.copyOf(languages);
            if (!(budgetCpuSeconds > 0)
                    || threads < 1
                    || batchSize < 2
                    || evalClasses < 0
                    || captionClasses < 0) {
                throw new IllegalArgumentException(
                        "need budget > 0, threads >= 1, batch >= 2, classes >= 0");
            }
        }

        /** The arguments {@link #main} reads back, without {@code out} and {@code data}. */
        List<String> arguments() {
            return List.of(
                    "variant=" + variant.name(),
                    "seed=" + seed,
                    "budget=" + budgetCpuSeconds,
                    "threads=" + threads,
                    "langs=" + String.join(",", languages),
                    "classes=" + evalClasses,
                    "captionclasses=" + captionClasses,
                    "batch=" + batchSize);
        }

        static Settings parse(Map<String, String> kv) {
            return new Settings(
                    FamilyVariant.named(required(kv, "variant")),
                    Integer.parseInt(required(kv, "seed")),
                    Double.parseDouble(required(kv, "budget")),
                    Integer.parseInt(kv.getOrDefault("threads", "2")),
                    Arrays.asList(required(kv, "langs").split(",")),
                    Integer.parseInt(kv.getOrDefault("classes", "500")),
                    Integer.parseInt(kv.getOrDefault("captionclasses", "25")),
                    Integer.parseInt(kv.getOrDefault("batch", "128")));
        }

        private static String required(Map<String, String> kv, String key) {
            String v = kv.get(key);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("missing " + key + "=...");
            }
            return v;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> kv = BenchArguments.parse(args);
        Settings settings = Settings.parse(kv);
        Path data = Path.of(kv.getOrDefault("data", "data"));
        Path cache = Path.of(kv.getOrDefault("cache", "families-cache"));
        switch (kv.getOrDefault("prepare", "self")) {
            case PREPARE_ONLY -> prepare(EmojiData.at(data), data, cache, settings);
            case PREPARED -> write(run(EmojiData.at(data), data, cache, settings, true), outOf(kv));
            case "self" -> write(run(EmojiData.at(data), data, cache, settings, false), outOf(kv));
            default ->
                    throw new IllegalArgumentException(
                            "prepare= is self, " + PREPARE_ONLY + " or " + PREPARED);
        }
    }

    private static Path outOf(Map<String, String> kv) {
        return Path.of(Settings.required(kv, "out"));
    }

    /**
     * What a run prepares: runs of the same key read the same stream and held-out sets (the
     * stream's image size and rendering; a captioner's caption set besides).
     */
    static String preparationKey(Settings s) {
        ModelConfig model = model(s);
        return model.imageSize()
                + (model.family() == ModelFamily.CLIPPO ? "-rendered" : "")
                + (model.family() == ModelFamily.CAPTIONER ? "-captions" : "");
    }

    /** Writes {@code s}'s stream and held-out sets into {@code cache}, unless already there. */
    static void prepare(EmojiData data, Path dataDir, Path cache, Settings s) throws IOException {
        requireCorpus(data, dataDir);
        ModelConfig model = model(s);
        long t0 = System.nanoTime();
        EmojiTask.fillCache(
                data, s.languages(), s.evalClasses(), model, render(model, dataDir), cache);
        if (model.family() == ModelFamily.CAPTIONER) {
            EmojiTask.heldOutFolder(data, s.languages(), s.captionClasses(), cache);
        }
        LOG.info(
                "families: {} prepared in {} s",
                preparationKey(s),
                Math.round((System.nanoTime() - t0) / 1e9));
    }

    private static void requireCorpus(EmojiData data, Path dataDir) {
        if (!data.missing().isEmpty()) {
            throw new IllegalStateException(
                    "the emoji corpus is not in "
                            + dataDir.toAbsolutePath()
                            + ": "
                            + data.missing());
        }
    }

    private static ModelConfig model(Settings s) {
        return s.variant()
                .model(
                        new ByteTokenizer(TrainerConfig.defaults().model().contextLength())
                                .vocabSize());
    }

    /** CLIPPO's rendering (GNU Unifont from {@code dataDir} or STREAMLIP_FONT); null otherwise. */
    private static TextRenderConfig render(ModelConfig model, Path dataDir) {
        if (model.family() != ModelFamily.CLIPPO) {
            return null;
        }
        Path font = BitmapFont.locate(dataDir);
        if (font == null) {
            throw new IllegalStateException(
                    "CLIPPO renders captions: set STREAMLIP_FONT to GNU Unifont's .hex, or put"
                            + " unifont/unifont.hex under "
                            + dataDir);
        }
        return TextRenderConfig.defaults(font.toString());
    }

    /**
     * Prepares (or, when {@code prepared}, only reads what {@link #prepare} wrote), trains and
     * evaluates; see the class comment.
     */
    static FamilyRunResult run(
            EmojiData data, Path dataDir, Path cache, Settings s, boolean prepared)
            throws IOException {
        ModelConfig model = model(s);
        TextRenderConfig render = render(model, dataDir);
        LOG.info(
                "families run: {} seed {} budget {} CPU s",
                s.variant().name(),
                s.seed(),
                s.budgetCpuSeconds());
        long t0 = System.nanoTime();
        {
            if (!prepared) {
                prepare(data, dataDir, cache, s);
            }
            EmojiTask task =
                    EmojiTask.readCached(s.languages(), s.evalClasses(), model, render, cache);
            EvalSet captionSet =
                    model.family() == ModelFamily.CAPTIONER
                            ? EmojiTask.load(
                                    EmojiTask.cachedHeldOutFolder(
                                            s.languages(), s.captionClasses(), cache),
                                    model)
                            : null;
            double prepare = (System.nanoTime() - t0) / 1e9;
            TrainingSession.setThreads(s.threads());
            Iterator<TrainingBatch> batches =
                    task.stream()
                            .batches(
                                    s.batchSize(),
                                    model,
                                    ByteTokenizer.EOS,
                                    EmojiLearningBenchmark.UNLIMITED_PASSES);
            System.gc();
            double rssBefore = PeakMemory.resident() / MIB;
            boolean reset = PeakMemory.resetHighWaterMark();
            List<Float> losses = new ArrayList<>();
            try (TrainingSession session =
                    TrainingSession.create(model, TrainerConfig.defaults().optimizer(), s.seed())) {
                CpuBudget budget = CpuBudget.ofProcessSeconds(s.budgetCpuSeconds());
                long wall0 = System.nanoTime();
                budget.start();
                while (!budget.exhausted() && batches.hasNext()) {
                    TrainingSession.StepResult step = session.step(batches.next());
                    if (!step.skipped()) {
                        losses.add(step.loss());
                    }
                    if (session.steps() % 50 == 0) {
                        LOG.info(
                                String.format(
                                        Locale.ROOT,
                                        "%s seed %d: step %d, %.0f of %.0f CPU s, loss %.3f",
                                        s.variant().name(),
                                        s.seed(),
                                        session.steps(),
                                        budget.spentNanos() / 1e9,
                                        s.budgetCpuSeconds(),
                                        LossMeans.tail(losses, 20)));
                    }
                }
                budget.stop();
                double wall = (System.nanoTime() - wall0) / 1e9;
                double trainingPeak = PeakMemory.highWaterMark() / MIB;
                MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
                double heap = memory.getHeapMemoryUsage().getCommitted() / MIB;
                double nonHeap = memory.getNonHeapMemoryUsage().getCommitted() / MIB;
                long e0 = System.nanoTime();
                EvalReport report =
                        session.hasEmbeddings()
                                ? Evaluator.retrieval(session, task.heldOut())
                                : EvalReport.of(Map.of());
                CaptionReport captions =
                        captionSet == null
                                ? null
                                : CaptionEvaluator.evaluate(
                                        session, captionSet, captionSet.tokenizer());
                double eval = (System.nanoTime() - e0) / 1e9;
                LOG.info(
                        "{} seed {} held-out retrieval:\n{}{}",
                        s.variant().name(),
                        s.seed(),
                        report.toTable(),
                        captions == null ? "" : "captions:\n" + captions.toTable());
                double peak = PeakMemory.highWaterMark() / MIB;
                LOG.info(
                        "rss before the model {} MiB, training peak {} MiB ({})",
                        Math.round(rssBefore),
                        Math.round(trainingPeak),
                        reset ? "VmHWM reset before the model" : "VmHWM not reset");
                return new FamilyRunResult(
                        s.variant().name(),
                        s.seed(),
                        s.threads(),
                        s.budgetCpuSeconds(),
                        parameters(session),
                        task.stream().size(),
                        session.steps(),
                        budget.spentNanos() / 1e9,
                        wall,
                        prepare,
                        eval,
                        LossMeans.head(losses, 20),
                        LossMeans.tail(losses, 20),
                        retrieval(report),
                        captions(captions),
                        Math.max(peak, trainingPeak),
                        trainingPeak,
                        rssBefore,
                        heap,
                        nonHeap);
            }
        }
    }

    private static long parameters(TrainingSession session) {
        Block network =
                session.captioner() != null ? session.captioner() : session.contrastiveModel();
        long n = 0;
        for (var p : network.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    static Map<String, FamilyRunResult.Retrieval> retrieval(EvalReport report) {
        Map<String, FamilyRunResult.Retrieval> out = new LinkedHashMap<>();
        if (report.languages().isEmpty()) {
            return out;
        }
        report.languages().forEach((lang, m) -> out.put(lang, retrieval(m)));
        out.put(FamilyRunResult.MEAN, retrieval(report.mean()));
        return out;
    }

    private static FamilyRunResult.Retrieval retrieval(EvalReport.Metrics m) {
        return new FamilyRunResult.Retrieval(
                m.i2tR1(), m.i2tR5(), m.t2iR1(), m.t2iR5(), m.chanceR1());
    }

    static Map<String, FamilyRunResult.Captioning> captions(CaptionReport report) {
        Map<String, FamilyRunResult.Captioning> out = new LinkedHashMap<>();
        if (report == null) {
            return out;
        }
        report.languages()
                .forEach(
                        (lang, m) ->
                                out.put(
                                        lang,
                                        new FamilyRunResult.Captioning(
                                                m.exactMatch(), m.bleu4(), m.n())));
        CaptionReport.Metrics mean = report.mean();
        out.put(
                FamilyRunResult.MEAN,
                new FamilyRunResult.Captioning(mean.exactMatch(), mean.bleu4(), mean.n()));
        return out;
    }

    /** Writes {@code result} as JSON for the parent process. */
    static void write(FamilyRunResult result, Path file) throws IOException {
        JSON.writeValue(file.toFile(), result);
    }

    /** Reads a result {@link #write} wrote. */
    static FamilyRunResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), FamilyRunResult.class);
    }
}
