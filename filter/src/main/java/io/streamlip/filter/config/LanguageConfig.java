package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Language identification (Lingua) and per-language caps. Why each default:
 * docs/decisions/language-identification.md.
 *
 * @param enabled whether captions are identified at all (default true)
 * @param languages ISO 639-1 codes Lingua chooses among (default the demo's 16, {@link
 *     #DEFAULT_LANGUAGES}); a caption declared in a language outside the set is not checked
 * @param minConfidence Lingua confidence a refused language mismatch needs (default 0.95)
 * @param minLetters letters in the declared language's script before Lingua may refuse a caption
 *     (default 24); one with no letter of that script is refused from two letters on
 * @param caps most accepted pairs per language code (absent: no cap; default none)
 * @param scoreShortCaptions whether captions too short to refuse still get Lingua's confidence
 *     (default false: they keep their declared language with confidence 0)
 */
public record LanguageConfig(
        boolean enabled,
        List<String> languages,
        double minConfidence,
        int minLetters,
        Map<String, Long> caps,
        boolean scoreShortCaptions)
        implements Serializable {

    /** The languages of the demo corpus. */
    public static final List<String> DEFAULT_LANGUAGES =
            List.of(
                    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "el", "ar", "hi",
                    "ja", "zh", "ko");

    public LanguageConfig {
        languages = List.copyOf(languages);
        caps = Map.copyOf(caps);
        if (!(minConfidence > 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException(
                    "minConfidence must be in (0, 1], got " + minConfidence);
        }
        if (minLetters < 1) {
            throw new IllegalArgumentException("minLetters must be positive, got " + minLetters);
        }
        caps.forEach(
                (lang, cap) -> {
                    if (cap < 1) {
                        throw new IllegalArgumentException(
                                "cap of " + lang + " must be positive, got " + cap);
                    }
                });
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
        private boolean scoreShortCaptions = false;

        private Builder() {}

        private Builder(LanguageConfig c) {
            enabled = c.enabled;
            languages = c.languages;
            minConfidence = c.minConfidence;
            minLetters = c.minLetters;
            caps = c.caps;
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

        public Builder scoreShortCaptions(boolean value) {
            scoreShortCaptions = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public LanguageConfig build() {
            return new LanguageConfig(
                    enabled, languages, minConfidence, minLetters, caps, scoreShortCaptions);
        }
    }
}
