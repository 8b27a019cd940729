package io.streamlip.filter;

import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-language caps ({@link LanguageConfig#caps()}) in memory, for one process: a language with a
 * cap accepts that many pairs in {@link LanguageConfig#capWindow()} (or in all, without a window),
 * then refuses the rest as {@code language_cap} until the window has moved past enough of them. Not
 * thread-safe. The Flink job makes the same decisions in keyed state ({@link LanguageCapFunction}).
 */
public final class LanguageQuota {
    private final Map<String, Long> caps;
    private final Duration window;
    private final RollingCount rolling;
    private final LongSupplier clockMillis;
    private final Map<String, Long> accepted = new HashMap<>();
    private final Map<String, long[]> recent = new HashMap<>();

    /** Caps on the system clock. */
    public LanguageQuota(LanguageConfig config) {
        this(config, System::currentTimeMillis);
    }

    /** Caps on {@code clockMillis} (milliseconds), which a window's count follows. */
    public LanguageQuota(LanguageConfig config, LongSupplier clockMillis) {
        this.caps = config.caps();
        this.window = config.capWindow();
        this.rolling = window.isZero() ? null : new RollingCount(window);
        this.clockMillis = clockMillis;
    }

    /** Counts a pair of {@code lang}, or refuses it when the language is at its cap. */
    public Verdict<String> admit(String lang) {
        if (rolling == null) {
            long so = accepted.getOrDefault(lang, 0L);
            Verdict<String> verdict = decide(lang, so, caps, window);
            if (verdict.accepted()) {
                accepted.put(lang, so + 1);
            }
            return verdict;
        }
        if (!caps.containsKey(lang)) {
            return Verdict.accept(lang);
        }
        long now = clockMillis.getAsLong();
        long[] state = recent.get(lang);
        Verdict<String> verdict = decide(lang, rolling.count(state, now), caps, window);
        if (verdict.accepted()) {
            recent.put(lang, rolling.add(state, now));
        }
        return verdict;
    }

    /**
     * The decision for a pair of {@code lang} when the language accepted {@code accepted} pairs
     * before (in {@code window}; zero: ever), shared with the job's keyed stage ({@link
     * LanguageCapFunction}): refused as {@code language_cap} when the language has a cap and is at
     * it.
     */
    /**
     * The decision for a pair of {@code lang} under a share cap: refused as {@code language_cap}
     * when the pairs accepted (of every language, in {@code window}; zero: ever) number at least
     * {@link LanguageConfig#SHARE_MIN_PAIRS} and one more of {@code lang} would take it over {@code
     * share} of them.
     */
    static Verdict<String> decideShare(
            String lang, long accepted, long total, double share, Duration window) {
        if (total >= LanguageConfig.SHARE_MIN_PAIRS && accepted + 1 > share * (total + 1)) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_CAP,
                    "language '"
                            + lang
                            + "' already has "
                            + accepted
                            + " of "
                            + total
                            + " pairs"
                            + (window.isZero() ? "" : " in the last " + window)
                            + " (cap "
                            + share * 100
                            + "%)");
        }
        return Verdict.accept(lang);
    }

    static Verdict<String> decide(
            String lang, long accepted, Map<String, Long> caps, Duration window) {
        Long cap = caps.get(lang);
        if (cap != null && accepted >= cap) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_CAP,
                    "language '"
                            + lang
                            + "' already has "
                            + accepted
                            + " pairs"
                            + (window.isZero() ? "" : " in the last " + window)
                            + " (cap "
                            + cap
                            + ")");
        }
        return Verdict.accept(lang);
    }
}
