package io.streamlip.filter.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Language identification (Lingua) and per-language caps. Why each default:
 * docs/decisions/language-identification.md.
 *
 * @param enabled whether captions are identified at all (default true)
 * @param languages ISO 639-1 codes Lingua chooses among (default {@link #DEFAULT_LANGUAGES})
 * @param minConfidence Lingua confidence a refused language mismatch needs (default 0.95)
 * @param minLetters letters of the declared script before Lingua may refuse a caption (default 24)
 * @param caps most accepted pairs per language code, counted in {@code capWindow} (default none)
 * @param capShares most of the accepted pairs (all languages) a language may take, a share in (0,
 *     1], counted in {@code capWindow} once it holds {@link #SHARE_MIN_PAIRS} (default none)
 * @param capWindow rolling window of processing time, at least 1 s; {@link Duration#ZERO} (the
 *     default) counts over the job's lifetime
 * @param scoreShortCaptions whether captions too short to refuse still get a confidence (false)
 */
public record LanguageConfig(
        boolean enabled,
        List<String> languages,
        double minConfidence,
        int minLetters,
        Map<String, Long> caps,
        Map<String, Double> capShares,
        Duration capWindow,
        boolean scoreShortCaptions)
        implements Serializable {

    /** Accepted pairs the window must hold before a share cap refuses anything. */
    public static final long SHARE_MIN_PAIRS = 100;

    /** The languages of the demo corpus. */
    public static final List<String> DEFAULT_LANGUAGES =
            List.of(
                    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "el", "ar", "hi",
                    "ja", "zh", "ko");

    /** The longest cap window. */
    public static final Duration MAX_CAP_WINDOW = Duration.ofDays(366);

    public LanguageConfig {
        languages = List.copyOf(languages);
        caps = Map.copyOf(caps);
        capShares = Map.copyOf(capShares);
        capShares.forEach(
                (lang, share) -> {
                    if (!(share > 0 && share <= 1)) {
                        throw new IllegalArgumentException(
                                "the share cap of " + lang + " must be in (0, 1], got " + share);
                    }
                });
        for (String lang : capShares.keySet()) {
            if (caps.containsKey(lang)) {
                throw new IllegalArgumentException(
                        "language " + lang + " has both a count cap and a share cap");
            }
        }
        if (!(minConfidence > 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException(
                    "minConfidence must be in (0, 1], got " + minConfidence);
        }
        if (minLetters < 1) {
            throw new IllegalArgumentException("minLetters must be positive, got " + minLetters);
        }
        if (capWindow == null
                || capWindow.isNegative()
                || (!capWindow.isZero() && capWindow.compareTo(Duration.ofSeconds(1)) < 0)
                || capWindow.compareTo(MAX_CAP_WINDOW) > 0) {
            throw new IllegalArgumentException(
                    "capWindow must be 0 (lifetime) or between 1 s and "
                            + MAX_CAP_WINDOW.toDays()
                            + " days, got "
                            + capWindow);
        }
        caps.forEach(
                (lang, cap) -> {
                    if (cap < 1) {
                        throw new IllegalArgumentException(
                                "cap of " + lang + " must be positive, got " + cap);
                    }
                });
    }

    /**
     * Caps as written on a command line, {@code LANG=N[,LANG=N]...} (e.g. {@code en=5000,de=2000});
     * blank: none.
     *
     * @throws IllegalArgumentException naming the part that is not {@code LANG=N}
     */
    public static Map<String, Long> parseCaps(String spec) {
        Map<String, Long> caps = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return caps;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", -1);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(
                        "a language cap is LANG=N, not '" + part.trim() + "'");
            }
            try {
                caps.put(kv[0].trim(), Long.parseLong(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "the cap of " + kv[0].trim() + " is not a number: '" + kv[1].trim() + "'");
            }
        }
        return caps;
    }

    /** The count caps ({@code LANG=N}) and share caps ({@code LANG=P%}) of one spec. */
    public record CapSpec(Map<String, Long> counts, Map<String, Double> shares) {}

    /**
     * Caps as written on a command line, counts or shares: {@code en=30%,de=2000}; blank: none.
     *
     * @throws IllegalArgumentException naming the part that is neither
     */
    public static CapSpec parseCapSpec(String spec) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return new CapSpec(counts, shares);
        }
        StringBuilder countsOnly = new StringBuilder();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (!p.endsWith("%")) {
                countsOnly.append(countsOnly.isEmpty() ? "" : ",").append(p);
                continue;
            }
            String[] kv = p.substring(0, p.length() - 1).split("=", -1);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(
                        "a language cap is LANG=N or LANG=P%, not '" + p + "'");
            }
            try {
                shares.put(kv[0].trim(), Double.parseDouble(kv[1].trim()) / 100);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "the share of " + kv[0].trim() + " is not a number: '" + p + "'");
            }
        }
        counts.putAll(parseCaps(countsOnly.toString()));
        return new CapSpec(counts, shares);
    }

    /**
     * A cap window as written on a command line: {@code 0} (lifetime), a number with the unit
     * {@code s}, {@code m}, {@code h} or {@code d} ({@code 10m}), or ISO-8601 ({@code PT10M}).
     *
     * @throws IllegalArgumentException when it is none of these
     */
    public static Duration parseWindow(String text) {
        try {
            return FilterArguments.duration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "a cap window is 0, N followed by s, m, h or d (10m), or ISO-8601 (PT10M),"
                            + " not '"
                            + text
                            + "'");
        }
    }

    /** The documented defaults. */
    public static LanguageConfig defaults() {
        return builder().build();
    }

    /** No language identification at all. */
    public static LanguageConfig disabled() {
        return builder().enabled(false).languages(List.of()).build();
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
     * Builds a {@link LanguageConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private boolean enabled = true;
        private List<String> languages = DEFAULT_LANGUAGES;
        private double minConfidence = 0.95;
        private int minLetters = 24;
        private Map<String, Long> caps = Map.of();
        private Map<String, Double> capShares = Map.of();
        private Duration capWindow = Duration.ZERO;
        private boolean scoreShortCaptions = false;

        private Builder() {}

        private Builder(LanguageConfig c) {
            enabled = c.enabled;
            languages = c.languages;
            minConfidence = c.minConfidence;
            minLetters = c.minLetters;
            caps = c.caps;
            capShares = c.capShares;
            capWindow = c.capWindow;
            scoreShortCaptions = c.scoreShortCaptions;
        }

        public Builder enabled(boolean value) {
            enabled = value;
            return this;
        }

        public Builder languages(List<String> value) {
            languages = value;
            return this;
        }

        public Builder minConfidence(double value) {
            minConfidence = value;
            return this;
        }

        public Builder minLetters(int value) {
            minLetters = value;
            return this;
        }

        public Builder caps(Map<String, Long> value) {
            caps = value;
            return this;
        }

        public Builder capShares(Map<String, Double> value) {
            capShares = value;
            return this;
        }

        public Builder capWindow(Duration value) {
            capWindow = value;
            return this;
        }

        public Builder scoreShortCaptions(boolean value) {
            scoreShortCaptions = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public LanguageConfig build() {
            return new LanguageConfig(
                    enabled,
                    languages,
                    minConfidence,
                    minLetters,
                    caps,
                    capShares,
                    capWindow,
                    scoreShortCaptions);
        }
    }
}
