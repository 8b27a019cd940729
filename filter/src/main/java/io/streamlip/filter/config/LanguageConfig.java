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

    /** Without Lingua scores for short captions ({@link #scoreShortCaptions} false). */
    public LanguageConfig(
            boolean enabled,
            List<String> languages,
            double minConfidence,
            int minLetters,
            Map<String, Long> caps) {
        this(enabled, languages, minConfidence, minLetters, caps, false);
    }

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

    public static LanguageConfig defaults() {
        return new LanguageConfig(true, DEFAULT_LANGUAGES, 0.95, 24, Map.of());
    }

    public static LanguageConfig disabled() {
        return new LanguageConfig(false, List.of(), 0.95, 24, Map.of());
    }

    public LanguageConfig withLanguages(List<String> value) {
        return new LanguageConfig(
                enabled, value, minConfidence, minLetters, caps, scoreShortCaptions);
    }

    public LanguageConfig withCaps(Map<String, Long> value) {
        return new LanguageConfig(
                enabled, languages, minConfidence, minLetters, value, scoreShortCaptions);
    }

    public LanguageConfig withScoreShortCaptions(boolean value) {
        return new LanguageConfig(enabled, languages, minConfidence, minLetters, caps, value);
    }
}
