package io.streamlip.trainer.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * The streaming reader's shuffle buffer, backpressure and language mix ({@link #defaults()}). More:
 * docs/decisions/streaming-reader.md.
 *
 * @param capacity examples buffered before batches are drawn (earlier once the consumer caught up),
 *     also the mark at which partitions pause (default 2048)
 * @param memoryCapacity examples kept on the heap, the rest spilling to RocksDB (default 1024)
 * @param resumeBelow paused partitions resume below this many examples or a batch (default 1024)
 * @param spillDir parent folder of the spill store; null for the system temporary folder (default)
 * @param languageWeights an example of language {@code L} is kept with probability {@code w(L) /
 *     max w}, the others are passed over, counted; empty keeps all (default)
 * @param defaultWeight the weight of languages not in {@code languageWeights} (default 1)
 */
public record ShuffleConfig(
        int capacity,
        int memoryCapacity,
        int resumeBelow,
        Path spillDir,
        Map<String, Double> languageWeights,
        double defaultWeight) {

    public ShuffleConfig {
        if (capacity < 1 || memoryCapacity < 1 || memoryCapacity > capacity) {
            throw new IllegalArgumentException(
                    "need 1 <= memoryCapacity <= capacity, got "
                            + memoryCapacity
                            + " and "
                            + capacity);
        }
        if (resumeBelow < 1 || resumeBelow > capacity) {
            throw new IllegalArgumentException(
                    "resumeBelow must be in [1, capacity], got " + resumeBelow);
        }
        languageWeights = languageWeights == null ? Map.of() : Map.copyOf(languageWeights);
        if (!(defaultWeight >= 0)
                || languageWeights.values().stream().anyMatch(w -> !(w >= 0))
                || (defaultWeight == 0
                        && languageWeights.values().stream().allMatch(w -> w == 0))) {
            throw new IllegalArgumentException(
                    "language weights must be non-negative and not all zero: "
                            + languageWeights
                            + ", default "
                            + defaultWeight);
        }
    }

    /** The documented defaults. */
    public static ShuffleConfig defaults() {
        return new ShuffleConfig(2048, 1024, 1024, null, Map.of(), 1.0);
    }

    /**
     * A buffer of {@code capacity} examples, {@code memoryCapacity} of them on the heap, resuming
     * below half the capacity.
     */
    public static ShuffleConfig of(int capacity, int memoryCapacity) {
        return new ShuffleConfig(
                capacity, memoryCapacity, Math.max(1, capacity / 2), null, Map.of(), 1.0);
    }

    public ShuffleConfig withResumeBelow(int examples) {
        return new ShuffleConfig(
                capacity, memoryCapacity, examples, spillDir, languageWeights, defaultWeight);
    }

    public ShuffleConfig withSpillDir(Path dir) {
        return new ShuffleConfig(
                capacity, memoryCapacity, resumeBelow, dir, languageWeights, defaultWeight);
    }

    /** The same buffer sampling languages by {@code weights}, others by {@code otherWeight}. */
    public ShuffleConfig withLanguageWeights(Map<String, Double> weights, double otherWeight) {
        return new ShuffleConfig(
                capacity, memoryCapacity, resumeBelow, spillDir, weights, otherWeight);
    }

    /** The probability of keeping an example of {@code lang} (null: an unlisted language). */
    public double keepProbability(String lang) {
        if (languageWeights.isEmpty()) {
            return 1.0;
        }
        double max = defaultWeight;
        for (double w : languageWeights.values()) {
            max = Math.max(max, w);
        }
        double w = lang == null ? defaultWeight : languageWeights.getOrDefault(lang, defaultWeight);
        return w / max;
    }
}
