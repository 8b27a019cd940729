package io.streamlip.app;

import io.streamlip.bench.EmojiLearningBenchmark;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.TrainerConfig;
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
        // locales imported and evaluated on; default DEFAULT_LANGUAGES (16, 8 scripts)
        List<String> languages,
        // emoji classes sampled for the held-out set; default 500 (0: all)
        int evalClasses,
        // cap on imported pairs; default 0 (everything the languages give)
        long maxPairs,
        // most pairs per second the import sends; default 0 (as fast as it can)
        double importRate,
        // pairs generated when the source is synthetic; default 30,000
        long syntheticPairs,
        // Flink parallelism of the curation and tokenize jobs; default 1
        int parallelism,
        // trainer settings; default TrainerConfig.defaults() (the demo sets
        //     checkpoints, evaluation set and replay)
        TrainerConfig trainer,
        // DemoTokenizer spec: "bytes" (default), "bpe[:VOCAB]" (VOCAB default 8192, trained on
        //     the imported captions) or the path of a tokenizer.json
        String tokenizer) {

    /** Where the pairs come from. */
    public enum Source {
        /** The emoji corpus when its tarballs are there or npm can fetch them; else synthetic. */
        AUTO,
        /** The emoji x CLDR corpus; fails if it cannot be had. */
        EMOJI,
        /** The built-in procedural shapes, no download. */
        SYNTHETIC
    }

    /**
     * Big languages across 8 scripts (Latin, Cyrillic, Greek, Arabic, Devanagari, Han, kana,
     * Hangul); the list lives with the benchmark that measures what the demo learns from them.
     */
    public static final List<String> DEFAULT_LANGUAGES = EmojiLearningBenchmark.DEMO_LANGUAGES;

    public DemoConfig {
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
        if (!(importRate >= 0) || Double.isInfinite(importRate)) {
            throw new IllegalArgumentException(
                    "importRate must be 0 (unthrottled) or a positive rate, got " + importRate);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be positive, got " + parallelism);
        }
        if (trainer == null) {
            throw new IllegalArgumentException("the trainer's settings must be set");
        }
        if (tokenizer == null || tokenizer.isBlank()) {
            throw new IllegalArgumentException(
                    "tokenizer must be set (bytes, bpe[:VOCAB] or a file)");
        }
        languages = List.copyOf(languages);
    }

    public static DemoConfig defaults() {
        return new DemoConfig(
                Duration.ofMinutes(8),
                Path.of("out", "demo"),
                Path.of("data"),
                Source.AUTO,
                DEFAULT_LANGUAGES,
                500,
                0,
                0,
                30_000,
                1,
                TrainerConfig.defaults(),
                Tokenizers.BYTES);
    }
}
