package io.streamlip.filter;

import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-language caps ({@link LanguageConfig#caps()}) in memory, for one process: a language with a
 * cap accepts that many pairs, then refuses the rest as {@code language_cap}. Not thread-safe. The
 * Flink job makes the same decisions in keyed state ({@link LanguageCapFunction}).
 */
public final class LanguageQuota {
    private final Map<String, Long> caps;
    private final Map<String, Long> accepted = new HashMap<>();

    public LanguageQuota(LanguageConfig config) {
        this.caps = config.caps();
    }

    /** Counts a pair of {@code lang}, or refuses it when the language is at its cap. */
    public Verdict<String> admit(String lang) {
        long so = accepted.getOrDefault(lang, 0L);
        Verdict<String> verdict = decide(lang, so, caps);
        if (verdict.accepted()) {
            accepted.put(lang, so + 1);
        }
        return verdict;
    }

    /**
     * The decision for a pair of {@code lang} when the language accepted {@code accepted} pairs
     * before, shared with the job's keyed stage ({@link LanguageCapFunction}): refused as {@code
     * language_cap} when the language has a cap and is at it.
     */
    static Verdict<String> decide(String lang, long accepted, Map<String, Long> caps) {
        Long cap = caps.get(lang);
        if (cap != null && accepted >= cap) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_CAP,
                    "language '" + lang + "' already has " + accepted + " pairs (cap " + cap + ")");
        }
        return Verdict.accept(lang);
    }
}
