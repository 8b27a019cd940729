package io.streamlip.trainer.data;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.nio.file.Path;
import java.util.Map;

/**
 * The streaming reader's shuffle buffer, backpressure, language mix and replay cache ({@link
 * #defaults()}). More: docs/decisions/streaming-reader.md. JSON maps onto its {@link #builder()} by
 * component name.
 *
 * @param capacity examples buffered before batches are drawn, and partitions pause (default 2048)
 * @param memoryCapacity examples kept on the heap, the rest spilling to RocksDB (default 1024);
 *     equal to the capacity, none spill (the heap also takes what a poll brings beyond it)
 * @param resumeBelow paused partitions resume below this many examples or a batch (default 1024)
 * @param spillDir parent folder of the spill store; null for the system temporary folder (default)
 * @param languageWeights an example of language {@code L} is kept with probability {@code w(L) /
 *     max w}, the others are passed over, counted; empty keeps all (default)
 * @param defaultWeight the weight of languages not in {@code languageWeights} (default 1)
 * @param replayCacheMib MiB of decoded examples kept for replays, which then read no Kafka (over
 *     it, Kafka); 0 turns it off (default 512)
 */
@JsonDeserialize(builder = ShuffleConfig.Builder.class)
public record ShuffleConfig(
        int capacity,
        int memoryCapacity,
        int resumeBelow,
        Path spillDir,
        Map<String, Double> languageWeights,
        double defaultWeight,
        int replayCacheMib) {

    /** Largest replay cache accepted, MiB (1 TiB). */
    public static final int MAX_REPLAY_CACHE_MIB = 1 << 20;

    public ShuffleConfig {
        if (replayCacheMib < 0 || replayCacheMib > MAX_REPLAY_CACHE_MIB) {
            throw new IllegalArgumentException(
                    "replayCacheMib must be in [0, "
                            + MAX_REPLAY_CACHE_MIB
                            + "], got "
                            + replayCacheMib);
        }
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
        return builder().build();
    }

    /**
     * A buffer of {@code capacity} examples, {@code memoryCapacity} of them on the heap, resuming
     * below half the capacity.
     */
    public static ShuffleConfig of(int capacity, int memoryCapacity) {
        return builder()
                .capacity(capacity)
                .memoryCapacity(memoryCapacity)
                .resumeBelow(Math.max(1, capacity / 2))
                .build();
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

    /** A builder holding the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .capacity(capacity)
                .memoryCapacity(memoryCapacity)
                .resumeBelow(resumeBelow)
                .spillDir(spillDir)
                .languageWeights(languageWeights)
                .defaultWeight(defaultWeight)
                .replayCacheMib(replayCacheMib);
    }

    /** Sets components one by one; {@link #build} validates them together. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private int capacity = 2048;
        private int memoryCapacity = 1024;
        private int resumeBelow = 1024;
        private Path spillDir;
        private Map<String, Double> languageWeights = Map.of();
        private double defaultWeight = 1.0;
        private int replayCacheMib = 512;

        private Builder() {}

        public Builder capacity(int v) {
            capacity = v;
            return this;
        }

        public Builder memoryCapacity(int v) {
            memoryCapacity = v;
            return this;
        }

        public Builder resumeBelow(int v) {
            resumeBelow = v;
            return this;
        }

        public Builder spillDir(Path v) {
            spillDir = v;
            return this;
        }

        public Builder languageWeights(Map<String, Double> v) {
            languageWeights = v;
            return this;
        }

        public Builder defaultWeight(double v) {
            defaultWeight = v;
            return this;
        }

        public Builder replayCacheMib(int v) {
            replayCacheMib = v;
            return this;
        }

        public ShuffleConfig build() {
            return new ShuffleConfig(
                    capacity,
                    memoryCapacity,
                    resumeBelow,
                    spillDir,
                    languageWeights,
                    defaultWeight,
                    replayCacheMib);
        }
    }
}
