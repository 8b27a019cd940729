package io.streamlip.app;

import io.streamlip.bench.EmojiLearningBenchmark;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.ingest.noise.NoiseConfig;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@code streamlip demo} runs, with documented defaults ({@link #defaults()}). Each component's
 * comment gives what it is and its default; the longer why is in docs/decisions/demo.md.
 */
public record DemoConfig(
        // how long the trainer trains, from its first batch; default 8 minutes
        Duration training,
        // folder for the report, checkpoints and the held-out set; default out/demo
        Path out,
        // where the emoji x CLDR tarballs are, or are fetched to; default data
        Path dataDir,
        // which data to import; default Source.AUTO
        Source source,
        // the pairs folder imported when the source is FOLDER (pairs.jsonl format); default none
        Path sourceFolder,
        // FOLDER: a pairs folder with classes to evaluate on; default none (held out, see below)
        Path evalSet,
        // FOLDER without evalSet: share of the folder's images held out for evaluation, [0, 1),
        //     at most evalClasses of them; default 0.1 (0: no held-out evaluation)
        double holdout,
        // locales imported and evaluated on; default DEFAULT_LANGUAGES (16, 8 scripts)
        List<String> languages,
        // emoji classes sampled for the held-out set; default 500 (0: all)
        int evalClasses,
        // cap on imported pairs; default 0 (everything the languages give)
        long maxPairs,
        // how fast the import sends: ImportRate.AUTO (default) as fast as the trainer takes
        //     examples, a few batches ahead (AdaptivePace); a fixed rate; or 0, unthrottled
        ImportRate importRate,
        // pairs generated when the source is synthetic; default 30,000
        long syntheticPairs,
        // Flink parallelism of the curation and tokenize jobs; default 1
        int parallelism,
        // refuse pairs whose image is a near copy of a held-out evaluation image
        //     (eval_contamination): the demo adds its held-out set to the filter's evaluation
        //     sets; default true
        boolean decontaminate,
        // the curation job's thresholds (language caps, blocklist files, the live-model loop's
        //     cross-modal filter among them); default FilterConfig.defaults() with the
        //     cross-modal filter on
        FilterConfig filter,
        // trainer settings; default TrainerConfig.defaults() with a checkpoint every
        //     CHECKPOINT_EVERY steps or CHECKPOINT_INTERVAL_S seconds and a shuffle buffer of one
        //     batch (the demo also sets checkpoints, evaluation set and replay)
        TrainerConfig trainer,
        // the trainer's intra-op threads while the jobs curate (its own threads once curation is
        //     idle); default 1, 0 for the trainer's threads throughout
        int threadsWhileCurating,
        // once curation is idle, BACKGROUND puts the JVM's other Java threads in SCHED_IDLE (back
        //     when it is busy again, where permitted), OFF leaves them, AUTO is BACKGROUND where
        //     they can come back and OFF elsewhere; default AUTO (docs/decisions/demo.md)
        IdleThreadPolicy idleThreadPolicy,
        // the Flink job's checkpoint interval: its exactly-once sinks commit at each, so an
        //     example waits for the next one before the trainer can read it; default 1 s
        Duration jobCheckpointInterval,
        // DemoTokenizer spec: "bytes" (default), "bpe[:VOCAB]" (VOCAB default 8192, trained on
        //     the imported captions) or the path of a tokenizer.json
        String tokenizer,
        // CLIPPO rendering of each caption into the examples' rendered_text (its font file);
        //     default null: none
        TextRenderConfig render,
        // WebDataset / Avro shards of the curated pairs (folders under out/shards); default none
        FileSinkConfig curatedSinks,
        // WebDataset / Avro shards of the examples (folders under out/shards); default none
        FileSinkConfig exampleSinks,
        // web noise the simulator injects into the imported stream (ingest/noise), e.g.
        //     unrelated captions for the live-model loop to refuse; default NoiseConfig.none()
        NoiseConfig noise,
        // training also stops after this many steps, if before the training time; default 0
        //     (no step limit); at most MAX_STEPS
        long maxSteps) {

    /** Where the pairs come from. */
    public enum Source {
        /** The emoji corpus when its tarballs are there or npm can fetch them; else synthetic. */
        AUTO,
        /** The emoji x CLDR corpus; fails if it cannot be had. */
        EMOJI,
        /** The built-in procedural shapes, no download. */
        SYNTHETIC,
        /** A user's pairs folder ({@code sourceFolder}). */
        FOLDER
    }

    /**
     * Big languages across 8 scripts (Latin, Cyrillic, Greek, Arabic, Devanagari, Han, kana,
     * Hangul); the list lives with the benchmark that measures what the demo learns from them.
     */
    public static final List<String> DEFAULT_LANGUAGES = EmojiLearningBenchmark.DEMO_LANGUAGES;

    /**
     * Steps between the demo's checkpoints: each is a model update the filter loads, and the first
     * must reach it within the first minute of training (docs/decisions/demo.md).
     */
    public static final int CHECKPOINT_EVERY = 50;

    /**
     * Seconds after which the demo checkpoints whatever the step count, so that a loaded machine
     * still gets its first model within the first minute.
     */
    public static final int CHECKPOINT_INTERVAL_S = 20;

    /**
     * The demo trainer's shuffle buffer, one batch: the import comes shuffled and paced a couple of
     * batches ahead of the trainer, so a larger buffer would only hold examples back (freshness).
     */
    public static final ShuffleConfig SHUFFLE =
            ShuffleConfig.of(
                    TrainerConfig.defaults().batchSize(), TrainerConfig.defaults().batchSize());

    /** Largest step limit accepted ({@link #maxSteps}). */
    public static final long MAX_STEPS = 100_000_000L;

    public DemoConfig {
        if (maxSteps < 0 || maxSteps > MAX_STEPS) {
            throw new IllegalArgumentException(
                    "maxSteps must be in [0, " + MAX_STEPS + "], got " + maxSteps);
        }
        if (training.isNegative() || training.isZero()) {
            throw new IllegalArgumentException("training time must be positive, got " + training);
        }
        if (languages.isEmpty()) {
            throw new IllegalArgumentException("at least one language is needed");
        }
        if (evalClasses < 0 || maxPairs < 0 || syntheticPairs < 1) {
            throw new IllegalArgumentException(
                    "evalClasses and maxPairs must not be negative, syntheticPairs positive");
        }
        if (importRate == null) {
            throw new IllegalArgumentException("the import rate must be set (auto or a rate)");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be positive, got " + parallelism);
        }
        if (filter == null) {
            throw new IllegalArgumentException("the filter's settings must be set");
        }
        if (trainer == null) {
            throw new IllegalArgumentException("the trainer's settings must be set");
        }
        if (idleThreadPolicy == null) {
            throw new IllegalArgumentException("idleThreadPolicy must be set");
        }
        if (threadsWhileCurating < 0) {
            throw new IllegalArgumentException(
                    "threadsWhileCurating must be 0 (the trainer's threads) or positive, got "
                            + threadsWhileCurating);
        }
        if (jobCheckpointInterval == null
                || jobCheckpointInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(
                    "jobCheckpointInterval must be at least 100 ms, got " + jobCheckpointInterval);
        }
        if (tokenizer == null || tokenizer.isBlank()) {
            throw new IllegalArgumentException(
                    "tokenizer must be set (bytes, bpe[:VOCAB] or a file)");
        }
        if (curatedSinks == null || exampleSinks == null) {
            throw new IllegalArgumentException("the file sinks' settings must be set");
        }
        if (render == null && trainer.model().family() == ModelFamily.CLIPPO) {
            throw new IllegalArgumentException(
                    "a CLIPPO model reads the captions the tokenize job renders: set render (its"
                            + " font)");
        }
        if (render != null && trainer.model().imageSize() < BitmapFont.HEIGHT) {
            throw new IllegalArgumentException(
                    "rendering text needs an image size of at least "
                            + BitmapFont.HEIGHT
                            + ", the model's is "
                            + trainer.model().imageSize());
        }
        if ((source == Source.FOLDER) != (sourceFolder != null)) {
            throw new IllegalArgumentException(
                    "a source folder is set exactly when the source is FOLDER, got "
                            + source
                            + " with folder "
                            + sourceFolder);
        }
        if (evalSet != null && source != Source.FOLDER) {
            throw new IllegalArgumentException(
                    "an evaluation set is given with a source folder only; "
                            + source
                            + " has its own");
        }
        if (!(holdout >= 0 && holdout < 1)) {
            throw new IllegalArgumentException("holdout must be in [0, 1), got " + holdout);
        }
        if (noise == null) {
            throw new IllegalArgumentException("the noise settings must be set (none: none())");
        }
        languages = List.copyOf(languages);
    }

    /** The documented defaults. */
    public static DemoConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link DemoConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private Duration training = Duration.ofMinutes(8);
        private Path out = Path.of("out", "demo");
        private Path dataDir = Path.of("data");
        private Source source = Source.AUTO;
        private Path sourceFolder = null;
        private Path evalSet = null;
        private double holdout = 0.1;
        private List<String> languages = DEFAULT_LANGUAGES;
        private int evalClasses = 500;
        private long maxPairs = 0;
        private ImportRate importRate = ImportRate.AUTO;
        private long syntheticPairs = 30_000;
        private int parallelism = 1;
        private boolean decontaminate = true;
        private FilterConfig filter =
                FilterConfig.builder()
                        .crossModal(CrossModalConfig.builder().enabled(true).build())
                        .build();
        private TrainerConfig trainer =
                TrainerConfig.defaults().toBuilder()
                        .checkpointEvery(CHECKPOINT_EVERY)
                        .checkpointInterval(Duration.ofSeconds(CHECKPOINT_INTERVAL_S))
                        .shuffle(SHUFFLE)
                        .build();
        private int threadsWhileCurating = 1;
        private IdleThreadPolicy idleThreadPolicy = IdleThreadPolicy.AUTO;
        private Duration jobCheckpointInterval = Duration.ofSeconds(1);
        private String tokenizer = Tokenizers.BYTES;
        private TextRenderConfig render = null;
        private FileSinkConfig curatedSinks = FileSinkConfig.defaults();
        private FileSinkConfig exampleSinks = FileSinkConfig.defaults();
        private NoiseConfig noise = NoiseConfig.none();
        private long maxSteps = 0;

        private Builder() {}

        private Builder(DemoConfig c) {
            training = c.training;
            out = c.out;
            dataDir = c.dataDir;
            source = c.source;
            sourceFolder = c.sourceFolder;
            evalSet = c.evalSet;
            holdout = c.holdout;
            languages = c.languages;
            evalClasses = c.evalClasses;
            maxPairs = c.maxPairs;
            importRate = c.importRate;
            syntheticPairs = c.syntheticPairs;
            parallelism = c.parallelism;
            decontaminate = c.decontaminate;
            filter = c.filter;
            trainer = c.trainer;
            threadsWhileCurating = c.threadsWhileCurating;
            idleThreadPolicy = c.idleThreadPolicy;
            jobCheckpointInterval = c.jobCheckpointInterval;
            tokenizer = c.tokenizer;
            render = c.render;
            curatedSinks = c.curatedSinks;
            exampleSinks = c.exampleSinks;
            noise = c.noise;
            maxSteps = c.maxSteps;
        }

        public Builder training(Duration value) {
            training = value;
            return this;
        }

        public Builder out(Path value) {
            out = value;
            return this;
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder source(Source value) {
            source = value;
            return this;
        }

        /** The folder of the source {@link Source#FOLDER} (set that source too). */
        public Builder sourceFolder(Path folder) {
            sourceFolder = folder;
            return this;
        }

        public Builder evalSet(Path value) {
            evalSet = value;
            return this;
        }

        public Builder holdout(double value) {
            holdout = value;
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

        public Builder maxPairs(long value) {
            maxPairs = value;
            return this;
        }

        public Builder importRate(ImportRate value) {
            importRate = value;
            return this;
        }

        /** A fixed rate: at most {@code pairsPerSecond} pairs a second, 0 for no limit. */
        public Builder importRate(double pairsPerSecond) {
            return importRate(ImportRate.fixed(pairsPerSecond));
        }

        public Builder syntheticPairs(long value) {
            syntheticPairs = value;
            return this;
        }

        public Builder parallelism(int value) {
            parallelism = value;
            return this;
        }

        public Builder decontaminate(boolean value) {
            decontaminate = value;
            return this;
        }

        public Builder filter(FilterConfig value) {
            filter = value;
            return this;
        }

        public Builder trainer(TrainerConfig value) {
            trainer = value;
            return this;
        }

        public Builder threadsWhileCurating(int value) {
            threadsWhileCurating = value;
            return this;
        }

        public Builder jobCheckpointInterval(Duration value) {
            jobCheckpointInterval = value;
            return this;
        }

        public Builder tokenizer(String value) {
            tokenizer = value;
            return this;
        }

        public Builder render(TextRenderConfig value) {
            render = value;
            return this;
        }

        public Builder curatedSinks(FileSinkConfig value) {
            curatedSinks = value;
            return this;
        }

        public Builder exampleSinks(FileSinkConfig value) {
            exampleSinks = value;
            return this;
        }

        public Builder noise(NoiseConfig value) {
            noise = value;
            return this;
        }

        public Builder idleThreadPolicy(IdleThreadPolicy value) {
            idleThreadPolicy = value;
            return this;
        }

        public Builder maxSteps(long value) {
            maxSteps = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public DemoConfig build() {
            return new DemoConfig(
                    training,
                    out,
                    dataDir,
                    source,
                    sourceFolder,
                    evalSet,
                    holdout,
                    languages,
                    evalClasses,
                    maxPairs,
                    importRate,
                    syntheticPairs,
                    parallelism,
                    decontaminate,
                    filter,
                    trainer,
                    threadsWhileCurating,
                    idleThreadPolicy,
                    jobCheckpointInterval,
                    tokenizer,
                    render,
                    curatedSinks,
                    exampleSinks,
                    noise,
                    maxSteps);
        }
    }
}
