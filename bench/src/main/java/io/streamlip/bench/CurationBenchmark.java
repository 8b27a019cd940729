package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.filter.neardup.NearDuplicateIndex;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.ingest.emoji.EmojiEvalSet;
import io.streamlip.ingest.noise.NoiseConfig;
import io.streamlip.ingest.noise.NoiseKind;
import io.streamlip.ingest.noise.NoiseSimulator;
import io.streamlip.ingest.noise.NoisyPair;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.score.PairScorer;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.score.CheckpointPairScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench curation}: the web-noise simulator on the emoji corpus, curated by the
 * filter stage's classes in the job's order (curate, exact dedup, near dedup), scored against the
 * simulator's ground truth.
 *
 * <p>The emoji corpus is fetched with npm when missing, or the benchmark refuses naming the
 * commands that fetch it; the synthetic shapes (a different measurement) run only when asked for
 * ({@link Source#SYNTHETIC}) and are labelled so in the JSON's {@code source}.
 *
 * <p>Per kind: {@code injected} records, {@code recall} = share of them refused (for any reason),
 * {@code precision} = share of the refusals whose reason belongs to the kind (e.g. {@code
 * image_truncated} for {@code truncated}) that really are of the kind; null where no filter of this
 * stage targets the kind ({@code unrelated_caption}: the cross-modal scorer's job). {@code clean}:
 * untouched source pairs and how many were refused. {@code overall_precision}: the share of all
 * refusals that hit noise.
 *
 * <p>With a checkpoint ({@link BenchOptions#checkpoint()}), it measures the cross-modal filter's
 * kind instead: clean and {@code unrelated_caption} pairs scored by that model, and the recall of
 * unrelated captions at 1, 5 and 10% of clean pairs refused; it refuses, naming the command that
 * makes one, when the folder holds no checkpoint.
 */
public final class CurationBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(CurationBenchmark.class);

    /** Reasons that, for each kind, say "the filters caught exactly this". */
    static final Map<NoiseKind, Set<RejectReason>> TARGETS = targets();

    /** The npm command that means "do not fetch": the benchmark refuses when data is missing. */
    public static final String NO_FETCH = "none";

    /** Where the clean pairs come from. */
    public enum Source {
        /** The emoji x CLDR corpus (fetched when missing). */
        EMOJI,
        /** The built-in synthetic shapes: near duplicates of each other, so a different figure. */
        SYNTHETIC
    }

    private final EmojiData.Config data;
    private final Source source;

    /**
     * Configured from system properties, else environment variables: the data folder from {@code
     * streamlip.data} / {@code STREAMLIP_DATA} (default {@code data}, the demo's folder), the
     * source from {@code streamlip.bench.source} / {@code STREAMLIP_BENCH_SOURCE} ({@code emoji},
     * the default, or {@code synthetic}), the npm command from {@code streamlip.npm} / {@code
     * STREAMLIP_NPM} (default {@code npm}; {@value #NO_FETCH}: never fetch).
     */
    public CurationBenchmark() {
        this(
                EmojiData.Config.defaults(
                                Path.of(setting("streamlip.data", "STREAMLIP_DATA", "data")))
                        .toBuilder()
                        .npmCommand(setting("streamlip.npm", "STREAMLIP_NPM", "npm"))
                        .build(),
                parseSource(setting("streamlip.bench.source", "STREAMLIP_BENCH_SOURCE", "emoji")));
    }

    /** The emoji corpus in {@code dataDir}, fetched with npm from the PATH when missing. */
    public CurationBenchmark(Path dataDir) {
        this(EmojiData.Config.defaults(dataDir), Source.EMOJI);
    }

    public CurationBenchmark(EmojiData.Config data, Source source) {
        this.data = data;
        this.source = source;
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    static Source parseSource(String value) {
        try {
            return Source.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "bench curation: source must be emoji or synthetic, not '"
                            + value.strip()
                            + "'");
        }
    }

    @Override
    public String name() {
        return "curation";
    }

    @Override
    public String description() {
        return "precision and recall of the filters on the web-noise simulator's emoji stream";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        if (options.checkpoint() != null) {
            return scored(options);
        }
        long limit = options.limit() > 0 ? options.limit() : options.quick() ? 2_000 : 20_000;
        Path work = Files.createTempDirectory("streamlip-bench-curation");
        try {
            return run(limit, work);
        } finally {
            FileUtils.deleteQuietly(work.toFile());
        }
    }

    private BenchResult run(long limit, Path work) {
        String sourceLabel;
        Iterator<RawPair> clean;
        List<NoiseSimulator.EvalImage> evalImages;
        Path evalSet = work.resolve("eval");
        Map<String, Object> sourceJson = new LinkedHashMap<>();
        if (source == Source.EMOJI) {
            EmojiData emoji = fetch();
            Path folder = emoji.folder().toAbsolutePath();
            sourceLabel = "emoji:" + folder;
            sourceJson.put("kind", "emoji");
            sourceJson.put("data_folder", folder.toString());
            sourceJson.put("vendors", EmojiData.TRAINING_VENDORS);
            EmojiEvalSet.write(emoji, evalSet, EmojiEvalSet.Config.defaults());
            clean =
                    EmojiCorpus.open(
                                    emoji,
                                    EmojiCorpus.Config.builder()
                                            .locales(EmojiLearningBenchmark.DEMO_LANGUAGES)
                                            .build())
                            .limit(limit)
                            .pairs();
        } else {
            sourceLabel = "synthetic";
            sourceJson.put("kind", "synthetic");
            sourceJson.put(
                    "note",
                    "built-in shapes whose clean pairs are near duplicates of each other: not"
                            + " comparable with the emoji figures");
            LOG.warn("bench curation on the synthetic shapes, as asked: not the emoji figures");
            new SyntheticPairs(64).writeEvalSet(evalSet, 2, 99);
            clean = new SyntheticPairs(64).pairs(limit, 1);
        }
        evalImages = NoiseSimulator.evalImages(evalSet);
        NoiseConfig noise = NoiseConfig.defaults();
        FilterConfig config =
                FilterConfig.builder()
                        .nearDuplicates(
                                NearDuplicateConfig.builder()
                                        .evalSets(List.of(evalSet.toString()))
                                        .build())
                        .build();

        Map<NoiseKind, long[]> byKind = new EnumMap<>(NoiseKind.class); // injected, refused
        Map<RejectReason, long[]> byReason = new EnumMap<>(RejectReason.class); // all, right
        Map<String, Long> cleanRefusals = new TreeMap<>();
        long refusedAll = 0;
        long refusedNoise = 0;
        long start = System.nanoTime();
        Curation curation = new Curation(config);
        Iterator<NoisyPair> stream = new NoiseSimulator(noise, evalImages).wrap(clean);
        long records = 0;
        while (stream.hasNext()) {
            NoisyPair p = stream.next();
            records++;
            Verdict<CuratedPair> verdict = curation.apply(p.pair());
            long[] counts = byKind.computeIfAbsent(p.kind(), k -> new long[2]);
            counts[0]++;
            if (verdict instanceof Verdict.Refused<CuratedPair> refused) {
                counts[1]++;
                refusedAll++;
                if (p.kind().isNoise()) {
                    refusedNoise++;
                } else {
                    cleanRefusals.merge(refused.reason().code(), 1L, Long::sum);
                    if (cleanRefusals.values().stream().mapToLong(Long::longValue).sum() <= 20) {
                        LOG.info("clean pair refused: {} {}", p.pair().getId(), refused.detail());
                    }
                }
                long[] reason = byReason.computeIfAbsent(refused.reason(), r -> new long[2]);
                reason[0]++;
                if (TARGETS.getOrDefault(p.kind(), Set.of()).contains(refused.reason())) {
                    reason[1]++;
                }
            }
            if (records % 5000 == 0) {
                LOG.info("curation bench: {} records", records);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        BenchResult result =
                new BenchResult(
                        "curation: filters vs the web-noise simulator's ground truth ("
                                + (source == Source.EMOJI
                                        ? "emoji corpus"
                                        : "SYNTHETIC shapes, not the emoji corpus")
                                + ")",
                        List.of("kind", "injected", "refused", "precision", "recall"));
        Map<String, Object> kinds = new LinkedHashMap<>();
        for (Map.Entry<NoiseKind, long[]> e : byKind.entrySet()) {
            NoiseKind kind = e.getKey();
            if (!kind.isNoise()) {
                continue;
            }
            long injected = e.getValue()[0];
            long refused = e.getValue()[1];
            Double precision = precision(kind, byReason);
            double recall = injected == 0 ? 0 : (double) refused / injected;
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("injected", injected);
            k.put("precision", precision);
            k.put("recall", recall);
            kinds.put(kind.code(), k);
            result.row(kind.code(), injected, refused, precision == null ? "-" : precision, recall);
        }
        long[] cleanCounts = byKind.getOrDefault(NoiseKind.CLEAN, new long[2]);
        double overall = refusedAll == 0 ? 1 : (double) refusedNoise / refusedAll;
        result.row("clean", cleanCounts[0], cleanCounts[1], "-", "-");
        Map<String, Object> cleanJson = new LinkedHashMap<>();
        cleanJson.put("n", cleanCounts[0]);
        cleanJson.put("refused", cleanCounts[1]);
        result.put("kinds", kinds)
                .put("clean", cleanJson)
                .put("overall_precision", overall)
                .put("source", sourceLabel)
                .put("source_detail", sourceJson)
                .put("records", records)
                .put("records_per_s", records / seconds)
                .put("clean_refused_by_reason", cleanRefusals);
        result.note(
                "source: "
                        + sourceLabel
                        + "; "
                        + records
                        + " records ("
                        + limit
                        + " clean pairs asked)");
        result.note(
                String.format(
                        Locale.ROOT,
                        "overall precision %.4f; clean refused %d of %d (%.2f%%): %s",
                        overall,
                        cleanCounts[1],
                        cleanCounts[0],
                        100.0 * cleanCounts[1] / Math.max(1, cleanCounts[0]),
                        cleanRefusals));
        result.note(
                String.format(
                        Locale.ROOT,
                        "%.0f records/s through the plain filter classes on 1 thread; eval set: %d"
                                + " images",
                        records / seconds,
                        evalImages.size()));
        result.note(
                "recall: share of a kind's records refused for any reason; precision: share of"
                        + " refusals for the kind's own reasons that are of the kind");
        return result;
    }

    /** The rate of unrelated captions in the scored stream: after each clean pair, one in ten. */
    static final double SCORED_UNRELATED_RATE = 0.1;

    private static final int SCORE_BATCH = 64;

    /**
     * With {@code --checkpoint}: the clean pairs and the simulator's {@code unrelated_caption}
     * pairs, curated as the filter does, scored by the checkpoint's model (cosine of image and
     * caption embeddings, the checkpoint's own tokenizer, as the live-model loop's scorer), and the
     * recall of unrelated captions at 1, 5 and 10% of clean pairs refused, overall and per
     * language.
     */
    private BenchResult scored(BenchOptions options) throws Exception {
        Path checkpoint = checkpointOf(options.checkpoint());
        long limit = options.limit() > 0 ? options.limit() : options.quick() ? 300 : 5_000;
        if (options.threads() > 0) {
            TrainingSession.setThreads(options.threads());
        }
        Iterator<RawPair> clean;
        String sourceLabel;
        if (source == Source.EMOJI) {
            EmojiData emoji = fetch();
            sourceLabel = "emoji:" + emoji.folder().toAbsolutePath();
            clean =
                    EmojiCorpus.open(
                                    emoji,
                                    EmojiCorpus.Config.builder()
                                            .locales(EmojiLearningBenchmark.DEMO_LANGUAGES)
                                            .build())
                            .limit(limit)
                            .pairs();
        } else {
            sourceLabel = "synthetic";
            LOG.warn("bench curation on the synthetic shapes, as asked: not the emoji figures");
            clean = new SyntheticPairs(64).pairs(limit, 1);
        }
        NoiseConfig noise =
                NoiseConfig.builder()
                        .rates(Map.of(NoiseKind.UNRELATED_CAPTION, SCORED_UNRELATED_RATE))
                        .build();
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        UnrelatedCaptionScores scores = new UnrelatedCaptionScores();
        long refusedByCurator = 0;
        long unscorable = 0;
        long start = System.nanoTime();
        String version;
        long step;
        try (CheckpointPairScorer scorer = CheckpointPairScorer.load(checkpoint, null)) {
            version = scorer.modelVersion();
            step = CheckpointStore.readState(checkpoint).step();
            List<CuratedPair> batch = new ArrayList<>();
            List<NoiseKind> kinds = new ArrayList<>();
            Iterator<NoisyPair> stream = new NoiseSimulator(noise, List.of()).wrap(clean);
            while (stream.hasNext()) {
                NoisyPair p = stream.next();
                if (p.kind() != NoiseKind.CLEAN && p.kind() != NoiseKind.UNRELATED_CAPTION) {
                    continue; // source duplicates: neither clean nor the noise measured
                }
                Verdict<CuratedPair> verdict = curator.curate(p.pair(), Instant.now());
                if (verdict instanceof Verdict.Refused<CuratedPair>) {
                    refusedByCurator++;
                    continue;
                }
                batch.add(verdict.value());
                kinds.add(p.kind());
                if (batch.size() == SCORE_BATCH) {
                    unscorable += score(scorer, batch, kinds, scores);
                    batch.clear();
                    kinds.clear();
                }
            }
            unscorable += score(scorer, batch, kinds, scores);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        List<String> columns = new ArrayList<>(List.of("lang", "clean", "unrelated"));
        for (double share : UnrelatedCaptionScores.CLEAN_REFUSED) {
            columns.add(String.format(Locale.ROOT, "recall@%.0f%%", 100 * share));
        }
        columns.add("auc");
        BenchResult result =
                new BenchResult(
                        "curation: unrelated captions vs clean pairs, scored by "
                                + version
                                + " (recall at a share of clean pairs refused)",
                        columns);
        Map<String, Object> byLang = new LinkedHashMap<>();
        List<String> langs = new ArrayList<>();
        langs.add(null);
        langs.addAll(scores.languages());
        for (String lang : langs) {
            float[] c = scores.clean(lang);
            float[] u = scores.unrelated(lang);
            List<Object> row =
                    new ArrayList<>(
                            List.of(lang == null ? "all" : lang, (long) c.length, (long) u.length));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("clean", c.length);
            json.put("unrelated", u.length);
            Map<String, Object> recalls = new LinkedHashMap<>();
            Map<String, Object> thresholds = new LinkedHashMap<>();
            for (double share : UnrelatedCaptionScores.CLEAN_REFUSED) {
                double threshold = UnrelatedCaptionScores.threshold(c, share);
                double recall = UnrelatedCaptionScores.recall(u, threshold);
                String key = String.format(Locale.ROOT, "%.2f", share);
                recalls.put(key, Double.isNaN(recall) ? null : recall);
                thresholds.put(key, Double.isNaN(threshold) ? null : threshold);
                row.add(Double.isNaN(recall) ? "-" : recall);
            }
            double auc = UnrelatedCaptionScores.auc(c, u);
            row.add(Double.isNaN(auc) ? "-" : auc);
            json.put("recall_at_clean_refused", recalls);
            json.put("thresholds", thresholds);
            json.put("auc", Double.isNaN(auc) ? null : auc);
            result.row(row.toArray());
            if (lang == null) {
                result.put("overall", json);
            } else {
                byLang.put(lang, json);
            }
        }
        long scored = scores.clean(null).length + scores.unrelated(null).length;
        result.put("checkpoint", checkpoint.toAbsolutePath().toString())
                .put("model_version", version)
                .put("step", step)
                .put("source", sourceLabel)
                .put("unrelated_caption_rate", SCORED_UNRELATED_RATE)
                .put("by_language", byLang)
                .put("refused_by_curation", refusedByCurator)
                .put("unscorable", unscorable)
                .put("pairs_per_s", scored / seconds);
        result.note(
                String.format(
                        Locale.ROOT,
                        "checkpoint %s (step %d); source %s: %d clean pairs asked, unrelated"
                                + " captions injected at %.2f per clean pair (the simulator's"
                                + " unrelated_caption kind only); %d refused by curation, %d"
                                + " unscorable",
                        checkpoint.toAbsolutePath(),
                        step,
                        sourceLabel,
                        limit,
                        SCORED_UNRELATED_RATE,
                        refusedByCurator,
                        unscorable));
        result.note(
                "recall@s: share of unrelated-caption pairs scoring below the clean scores' s"
                        + " quantile (the threshold that refuses s of the clean pairs), per language"
                        + " with that language's own threshold; auc: chance that an unrelated"
                        + " caption scores below a clean pair");
        result.note(
                String.format(
                        Locale.ROOT,
                        "%.0f pairs/s scored (curation, batches of %d); the clean pairs are the"
                                + " training vendors' drawings, so mostly pairs the model trained on",
                        scored / seconds,
                        SCORE_BATCH));
        return result;
    }

    /**
     * The checkpoint {@code dir} is, or the newest valid one inside it; refuses, naming the command
     * that makes one, when there is none.
     */
    static Path checkpointOf(Path dir) {
        try {
            return CheckpointStore.resolve(dir);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new IllegalStateException(
                    "bench curation --checkpoint: "
                            + dir.toAbsolutePath()
                            + " holds no trainer checkpoint (a folder with "
                            + CheckpointStore.STATE_FILE
                            + ", or a folder of them). Make one with: ./streamlip demo --minutes 8"
                            + " --out out/demo, then pass --checkpoint out/demo/checkpoints");
        }
    }

    /**
     * Scores {@code batch} into {@code scores} by kind and language; a batch that fails is scored
     * pair by pair. Returns the pairs that could not be scored.
     */
    private static long score(
            PairScorer scorer,
            List<CuratedPair> batch,
            List<NoiseKind> kinds,
            UnrelatedCaptionScores scores) {
        if (batch.isEmpty()) {
            return 0;
        }
        float[] s;
        try {
            s = scorer.score(batch);
        } catch (Exception e) {
            long failed = 0;
            for (int i = 0; i < batch.size(); i++) {
                try {
                    add(scores, kinds.get(i), batch.get(i), scorer.score(batch.get(i)));
                } catch (Exception one) {
                    failed++;
                    LOG.warn("cannot score {}: {}", batch.get(i).getPair().getId(), one.toString());
                }
            }
            return failed;
        }
        for (int i = 0; i < batch.size(); i++) {
            add(scores, kinds.get(i), batch.get(i), s[i]);
        }
        return 0;
    }

    private static void add(
            UnrelatedCaptionScores scores, NoiseKind kind, CuratedPair pair, float score) {
        String lang = String.valueOf(pair.getLang());
        if (kind == NoiseKind.UNRELATED_CAPTION) {
            scores.addUnrelated(lang, score);
        } else {
            scores.addClean(lang, score);
        }
    }

    /**
     * The emoji corpus, fetched when missing; refuses with the commands that fetch it when it
     * cannot be had (npm missing or failing, or fetching disabled).
     */
    private EmojiData fetch() {
        EmojiData emoji = new EmojiData(data);
        List<EmojiData.NpmPackage> missing = emoji.missing();
        if (missing.isEmpty()) {
            return emoji;
        }
        String why;
        if (NO_FETCH.equals(data.npmCommand())) {
            why = "fetching is disabled (npm command '" + NO_FETCH + "')";
        } else {
            try {
                return emoji.ensure();
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                why = e.getMessage().lines().findFirst().orElse(e.toString());
            }
        }
        throw new IllegalStateException(
                "bench curation needs the emoji x CLDR corpus in "
                        + emoji.folder().toAbsolutePath()
                        + " and "
                        + missing.size()
                        + " of its packages are missing; "
                        + why
                        + ". Fetch them with: cd "
                        + emoji.folder().toAbsolutePath()
                        + missing.stream()
                                .map(p -> " && npm pack " + p.spec())
                                .collect(java.util.stream.Collectors.joining())
                        + " (or measure the synthetic shapes instead: STREAMLIP_BENCH_SOURCE=synthetic)");
    }

    /**
     * Of the refusals whose reason targets {@code kind}, the share whose record is of a kind that
     * reason targets (a reason shared by kinds, {@code duplicate} for exact and source duplicates,
     * is right for both); null when no refusal had such a reason.
     */
    private static Double precision(NoiseKind kind, Map<RejectReason, long[]> byReason) {
        long all = 0;
        long right = 0;
        for (RejectReason r : TARGETS.getOrDefault(kind, Set.of())) {
            long[] c = byReason.get(r);
            if (c != null) {
                all += c[0];
                right += c[1];
            }
        }
        return all == 0 ? null : (double) right / all;
    }

    /** The job's order on one thread: curate, exact dedup, near dedup. */
    static final class Curation {
        private final PairCurator curator;
        private final Set<String> exact = new HashSet<>();
        private final NearDuplicateIndex near;

        Curation(FilterConfig config) {
            this.curator = new PairCurator(config);
            this.near = new NearDuplicateIndex(config.nearDuplicates());
        }

        Verdict<CuratedPair> apply(RawPair raw) {
            Verdict<PairCurator.Curated> verdict = curator.curateWithThumbnail(raw, Instant.now());
            if (verdict instanceof Verdict.Refused<PairCurator.Curated> refused) {
                return refused.cast();
            }
            CuratedPair pair = verdict.value().pair();
            if (!exact.add(PairCurator.duplicateKey(pair))) {
                return Verdict.refuse(RejectReason.DUPLICATE, "same image and caption");
            }
            Verdict<Long> cluster =
                    near.admit(pair.getPhash(), verdict.value().thumbnail(), pair.getCaption());
            if (cluster instanceof Verdict.Refused<Long> refused) {
                return refused.cast();
            }
            return Verdict.accept(pair);
        }
    }

    private static Map<NoiseKind, Set<RejectReason>> targets() {
        Map<NoiseKind, Set<RejectReason>> t = new EnumMap<>(NoiseKind.class);
        t.put(NoiseKind.CORRUPT, Set.of(RejectReason.IMAGE_UNDECODABLE));
        t.put(NoiseKind.TRUNCATED, Set.of(RejectReason.IMAGE_TRUNCATED));
        t.put(NoiseKind.BOMB, Set.of(RejectReason.IMAGE_TOO_LARGE));
        t.put(NoiseKind.TINY, Set.of(RejectReason.IMAGE_TOO_SMALL));
        t.put(NoiseKind.ASPECT, Set.of(RejectReason.IMAGE_ASPECT));
        t.put(NoiseKind.EXACT_DUPLICATE, Set.of(RejectReason.DUPLICATE));
        t.put(NoiseKind.SOURCE_DUPLICATE, Set.of(RejectReason.DUPLICATE));
        t.put(NoiseKind.NEAR_DUPLICATE, Set.of(RejectReason.NEAR_DUPLICATE));
        t.put(NoiseKind.MANY_CAPTIONS, Set.of(RejectReason.IMAGE_CLUSTER_CAP));
        t.put(NoiseKind.BOILERPLATE, Set.of(RejectReason.CAPTION_BOILERPLATE));
        t.put(NoiseKind.WRONG_LANGUAGE, Set.of(RejectReason.LANGUAGE_MISMATCH));
        t.put(NoiseKind.EVAL_IMAGE, Set.of(RejectReason.EVAL_CONTAMINATION));
        return t;
    }
}
