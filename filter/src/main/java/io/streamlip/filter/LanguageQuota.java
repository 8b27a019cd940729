package io.streamlip.filter;

import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-language caps ({@link LanguageConfig#caps()}) in memory, for one process: a language with a
 * cap accepts that many pairs, then refuses the rest as {@code language_cap}. Not thread-safe.
 */
public final class LanguageQuota {
    private final Map<String, Long> caps;
    private final Map<String, Long> accepted = new HashMap<>();

    public LanguageQuota(LanguageConfig config) {
        this.caps = config.caps();
    }

    /** Counts a pair of {@code lang}, or refuses it when the language is at its cap. */
    public Verdict<String> admit(String lang) {
        Long cap = caps.get(lang);
        long so = accepted.getOrDefault(lang, 0L);
        if (cap != null && so >= cap) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_CAP,
                    "language '" + lang + "' already has " + so + " pairs (cap " + cap + ")");
        }
        accepted.put(lang, so + 1);
        return Verdict.accept(lang);
    }
}
