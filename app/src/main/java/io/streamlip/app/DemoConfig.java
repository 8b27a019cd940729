package io.streamlip.app;

import io.streamlip.bench.EmojiLearningBenchmark;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@code streamlip demo} runs, with documented defaults ({@link #defaults()}).
 *
 * @param training how long the trainer trains, from its first batch (default 8 minutes)
 * @param out folder for the report, checkpoints and the held-out set (default {@code out/demo})
 * @param dataDir where the emoji x CLDR tarballs are, or are fetched to (default {@code data})
 * @param source which data to import (default {@link Source#AUTO})
 * @param languages locales imported for training and evaluated on (default {@link
 *     #DEFAULT_LANGUAGES}: 16 languages in 8 scripts)
 * @param evalClasses emoji classes sampled for the held-out set (default 500; 0 for all)
 * @param maxPairs cap on imported pairs (default 0: everything the languages give)
 * @param importRate pairs per second the import sends at most (default 0: as fast as it can). A
 *     rate below what the trainer takes gives the live-stream case, where freshness measures the
 *     pipeline's latency; unthrottled, the corpus arrives in under a minute and the trainer works
 *     off a backlog, so freshness measures the backlog's age
 * @param syntheticPairs pairs generated when the source is synthetic (default 30,000)
 * @param parallelism Flink parallelism of the curation and tokenize jobs (default 1)
 * @param trainer the trainer's settings (default {@link TrainerConfig#defaults()}); the demo sets
 *     its checkpoint folder (in {@code out}), evaluation set and replay of the finite import
 * @param tokenizer the tokenizer of the tokenize job and the trainer ({@link DemoTokenizer}):
 *     {@code bytes} (default: no training, nothing to wait for), {@code bpe[:VOCAB]} (a byte-level
 *     BPE vocabulary of VOCAB tokens, default 8192, trained from the captions the demo imports
 *     before the jobs start) or the path of a {@code tokenizer.json}
 */
public record DemoConfig(
        Duration training,
        Path out,
        Path dataDir,
        Source source,
        List<String> languages,
        int evalClasses,
        long maxPairs,
        double importRate,
        long syntheticPairs,
        int parallelism,
        TrainerConfig trainer,
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
