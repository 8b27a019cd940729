package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Language identification (Lingua) and per-language caps.
 *
 * @param enabled whether captions are identified at all (default true)
 * @param languages ISO 639-1 codes Lingua chooses among (default the demo's 16: en de fr es it pt
 *     nl pl tr ru el ar hi ja zh ko); fewer languages load faster and use less memory (Lingua's
 *     models are about 15 MB a language), and a caption declared in a language outside the set is
 *     not checked
 * @param minConfidence Lingua confidence the detected language needs before a mismatch with the
 *     declared language is refused (default 0.95)
 * @param minLetters letters a caption in the declared language's own script needs before Lingua may
 *     refuse it (default 24, about four words: Lingua is unreliable on the one to three word names
 *     and alt-texts that dominate image captions); a caption with no letter of the declared
 *     language's script at all is refused from two letters on
 * @param caps most accepted pairs per language (key: language code; absent: no cap); default none,
 *     so nothing is refused unless a cap is set. In the job a keyed stage applies them ({@code
 *     LanguageCapFunction}), in one process {@code LanguageQuota}
 * @param scoreShortCaptions whether a caption too short for Lingua to refuse (fewer than {@link
 *     #minLetters} letters, declared in a language Lingua knows) is still run through Lingua for
 *     the confidence recorded in {@code CuratedPair.lang_confidence} (default false: it keeps its
 *     declared language with confidence 0, the schema's "from the hint alone", and costs nothing;
 *     no decision changes, since such a caption is never refused on Lingua's word, but Lingua was
 *     the largest part of a pair's curation, about 0.5 ms per Latin-script emoji name on the 2-core
 *     VM, and emoji names and most alt-texts are short)
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
