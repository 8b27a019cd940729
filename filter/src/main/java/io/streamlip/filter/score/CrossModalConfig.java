package io.streamlip.filter.score;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cross-modal score filter: whether it runs, and its keep policy (a threshold, <b>or</b> the
 * top fraction of recent scores). More: docs/decisions/cross-modal-scoring.md.
 *
 * @param enabled whether the filter job scores pairs with the trainer's newest model (default off;
 *     on in {@code streamlip demo}); the scorer must be on the job's classpath
 * @param thresholds per language, the score at or above which a pair is always kept (default none)
 * @param defaultThreshold threshold of languages not in {@code thresholds}; NaN for none (default)
 * @param topFraction fraction of each language's recent scores kept whatever its threshold, in [0,
 *     1] (default 0.9)
 * @param window recent scores per language the top fraction is taken over (default 1,000)
 * @param warmup scores a language needs before its top fraction applies (default 50)
 * @param batchSize most pairs per model call, at most {@value #MAX_BATCH_SIZE} (default 32)
 * @param batchTimeoutMillis longest wait for a batch to fill, processing time (default 50)
 */
public record CrossModalConfig(
        boolean enabled,
        Map<String, Double> thresholds,
        double defaultThreshold,
        double topFraction,
        int window,
        int warmup,
        int batchSize,
        int batchTimeoutMillis)
        implements Serializable {

    /** The largest {@link #batchSize}. */
    public static final int MAX_BATCH_SIZE = 1024;

    /** The largest {@link #batchTimeoutMillis}. */
    public static final int MAX_BATCH_TIMEOUT_MILLIS = 10_000;

    public CrossModalConfig {
        thresholds = thresholds == null ? Map.of() : new TreeMap<>(thresholds);
        thresholds.forEach(
                (lang, t) -> {
                    if (t == null || t.isNaN()) {
                        throw new IllegalArgumentException("threshold of " + lang + " is not set");
                    }
                });
        if (!(topFraction >= 0 && topFraction <= 1)) {
            throw new IllegalArgumentException("topFraction must be in [0, 1], got " + topFraction);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (warmup < 1 || warmup > window) {
            throw new IllegalArgumentException(
                    "warmup must be in [1, window=" + window + "], got " + warmup);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(
                    "batchSize must be in [1, " + MAX_BATCH_SIZE + "], got " + batchSize);
        }
        if (batchTimeoutMillis < 1 || batchTimeoutMillis > MAX_BATCH_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException(
                    "batchTimeoutMillis must be in [1, "
                            + MAX_BATCH_TIMEOUT_MILLIS
                            + "], got "
                            + batchTimeoutMillis);
        }
    }

    /** The documented defaults. */
    public static CrossModalConfig defaults() {
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
     * Builds a {@link CrossModalConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private boolean enabled = false;
        private Map<String, Double> thresholds = Map.of();
        private double defaultThreshold = Double.NaN;
        private double topFraction = 0.9;
        private int window = 1000;
        private int warmup = 50;
        private int batchSize = 32;
        private int batchTimeoutMillis = 50;

        private Builder() {}

        private Builder(CrossModalConfig c) {
            enabled = c.enabled;
            thresholds = c.thresholds;
            defaultThreshold = c.defaultThreshold;
            topFraction = c.topFraction;
            window = c.window;
            warmup = c.warmup;
            batchSize = c.batchSize;
            batchTimeoutMillis = c.batchTimeoutMillis;
        }

        public Builder enabled(boolean value) {
            enabled = value;
            return this;
        }

        public Builder thresholds(Map<String, Double> value) {
            thresholds = value;
            return this;
        }

        public Builder defaultThreshold(double value) {
            defaultThreshold = value;
            return this;
        }

        public Builder topFraction(double value) {
            topFraction = value;
            return this;
        }

        public Builder window(int value) {
            window = value;
            return this;
        }

        public Builder warmup(int value) {
            warmup = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder batchTimeoutMillis(int value) {
            batchTimeoutMillis = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public CrossModalConfig build() {
            return new CrossModalConfig(
                    enabled,
                    thresholds,
                    defaultThreshold,
                    topFraction,
                    window,
                    warmup,
                    batchSize,
                    batchTimeoutMillis);
        }
    }

    /** The threshold of {@code lang}, NaN when it has none. */
    public double thresholdOf(String lang) {
        Double t = thresholds.get(lang);
        return t != null ? t : defaultThreshold;
    }
}
