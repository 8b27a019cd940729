package io.streamlip.ingest.noise;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How much of each kind of web noise the simulator injects. A rate is the chance, after each clean
 * pair, of injecting one record of that kind; the defaults inject about 17% beside the clean pairs
 * (why: docs/decisions/noise-simulation.md).
 *
 * @param rates injection rate per kind in [0, 1], kinds not listed not injected (defaults: corrupt,
 *     truncated, tiny, aspect, eval_image 0.01; bomb 0.005; exact_duplicate, near_duplicate,
 *     boilerplate, unrelated_caption, wrong_language 0.02; many_captions 0.0005)
 * @param captionsPerImage captions one many-captions image comes with (default 150)
 * @param memory recent clean pairs kept to draw duplicates and borrowed captions from (default
 *     1024)
 * @param seed the seed of every random choice (default 0)
 */
public record NoiseConfig(
        Map<NoiseKind, Double> rates, int captionsPerImage, int memory, long seed) {

    public NoiseConfig {
        Objects.requireNonNull(rates, "rates");
        EnumMap<NoiseKind, Double> copy = new EnumMap<>(NoiseKind.class);
        for (Map.Entry<NoiseKind, Double> e : rates.entrySet()) {
            double rate = e.getValue();
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(
                        "rate of " + e.getKey().code() + " must be in [0, 1], got " + rate);
            }
            if (e.getKey() == NoiseKind.CLEAN || e.getKey() == NoiseKind.SOURCE_DUPLICATE) {
                throw new IllegalArgumentException(e.getKey().code() + " is not injected");
            }
            copy.put(e.getKey(), rate);
        }
        rates = Collections.unmodifiableMap(copy);
        if (captionsPerImage < 2) {
            throw new IllegalArgumentException(
                    "captionsPerImage must be at least 2, got " + captionsPerImage);
        }
        if (memory < 1) {
            throw new IllegalArgumentException("memory must be positive, got " + memory);
        }
    }

    private static final Map<NoiseKind, Double> DEFAULT_RATES = defaultRates();

    private static Map<NoiseKind, Double> defaultRates() {
        Map<NoiseKind, Double> rates = new EnumMap<>(NoiseKind.class);
        rates.put(NoiseKind.CORRUPT, 0.01);
        rates.put(NoiseKind.TRUNCATED, 0.01);
        rates.put(NoiseKind.BOMB, 0.005);
        rates.put(NoiseKind.TINY, 0.01);
        rates.put(NoiseKind.ASPECT, 0.01);
        rates.put(NoiseKind.EXACT_DUPLICATE, 0.02);
        rates.put(NoiseKind.NEAR_DUPLICATE, 0.02);
        rates.put(NoiseKind.MANY_CAPTIONS, 0.0005);
        rates.put(NoiseKind.BOILERPLATE, 0.02);
        rates.put(NoiseKind.UNRELATED_CAPTION, 0.02);
        rates.put(NoiseKind.WRONG_LANGUAGE, 0.02);
        rates.put(NoiseKind.EVAL_IMAGE, 0.01);
        return Collections.unmodifiableMap(rates);
    }

    /** No noise at all: the clean pairs only (with natural repeats labelled). */
    public static NoiseConfig none() {
        return builder().rates(Map.of()).build();
    }

    public double rate(NoiseKind kind) {
        return rates.getOrDefault(kind, 0.0);
    }

    /**
     * The configuration a command-line spec names: {@code none} (or blank), {@code defaults}, or
     * {@code KIND=RATE[,KIND=RATE...]} with kinds by {@link NoiseKind#code()} (e.g. {@code
     * unrelated_caption=0.1}); kinds not listed are not injected, the other settings are the
     * defaults.
     *
     * @throws IllegalArgumentException naming the entry that is not a known kind with a rate in [0,
     *     1]
     */
    public static NoiseConfig parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) {
            return none();
        }
        if (s.equalsIgnoreCase("defaults")) {
            return defaults();
        }
        Map<NoiseKind, Double> rates = new EnumMap<>(NoiseKind.class);
        for (String entry : s.split(",")) {
            String[] kv = entry.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException(
                        "noise entry '"
                                + entry.strip()
                                + "' is not KIND=RATE (e.g."
                                + " unrelated_caption=0.1)");
            }
            NoiseKind kind;
            try {
                kind = NoiseKind.of(kv[0].strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown noise kind '"
                                + kv[0].strip()
                                + "'; known: "
                                + java.util.Arrays.stream(NoiseKind.values())
                                        .filter(k -> k.isNoise() && k != NoiseKind.SOURCE_DUPLICATE)
                                        .map(NoiseKind::code)
                                        .toList());
            }
            double rate;
            try {
                rate = Double.parseDouble(kv[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "rate of " + kind.code() + " is not a number: '" + kv[1].strip() + "'");
            }
            if (rates.put(kind, rate) != null) {
                throw new IllegalArgumentException("noise kind " + kind.code() + " given twice");
            }
        }
        return builder().rates(rates).build();
    }

    /** Whether any kind is injected at a positive rate. */
    public boolean injects() {
        return rates.values().stream().anyMatch(r -> r > 0);
    }

    /** The documented defaults. */
    public static NoiseConfig defaults() {
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
     * Builds a {@link NoiseConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private Map<NoiseKind, Double> rates = DEFAULT_RATES;
        private int captionsPerImage = 150;
        private int memory = 1024;
        private long seed = 0;

        private Builder() {}

        private Builder(NoiseConfig c) {
            rates = c.rates;
            captionsPerImage = c.captionsPerImage;
            memory = c.memory;
            seed = c.seed;
        }

        public Builder rates(Map<NoiseKind, Double> value) {
            rates = value;
            return this;
        }

        public Builder captionsPerImage(int value) {
            captionsPerImage = value;
            return this;
        }

        public Builder memory(int value) {
            memory = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Sets the rate of one kind, keeping the others. */
        public Builder rate(NoiseKind kind, double value) {
            Map<NoiseKind, Double> changed = new EnumMap<>(NoiseKind.class);
            changed.putAll(rates);
            changed.put(kind, value);
            rates = changed;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public NoiseConfig build() {
            return new NoiseConfig(rates, captionsPerImage, memory, seed);
        }
    }
}
