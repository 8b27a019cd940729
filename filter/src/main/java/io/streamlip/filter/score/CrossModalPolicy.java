package io.streamlip.filter.score;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decides per pair from its score and language ({@link CrossModalConfig}): kept at or above the
 * language's threshold, or within the language's top fraction of its last {@code window} scores.
 * Until a language has {@code warmup} scores of its own, the top fraction of every language's last
 * {@code window} scores stands in for it (kept while fewer than {@code warmup} scores were seen at
 * all). Scores of different models are not comparable, so {@link #reset} forgets them when the
 * model changes; the pooled window makes a new model judge within a few dozen pairs, not after
 * {@code warmup} pairs of every language. Not thread-safe; the state is local to one operator
 * instance and rebuilt after a restart.
 */
public final class CrossModalPolicy {
    private final CrossModalConfig config;
    private final Map<String, RunningQuantile> recent = new HashMap<>();
    private RunningQuantile pooled;

    public CrossModalPolicy(CrossModalConfig config) {
        this.config = config;
    }

    /**
     * The outcome for one pair.
     *
     * @param keep whether the pair passes
     * @param detail why it is refused (empty when kept)
     */
    public record Decision(boolean keep, String detail) {}

    /** Records {@code score} for {@code lang} and decides. */
    public Decision decide(String lang, float score) {
        double threshold = config.thresholdOf(lang);
        boolean hasThreshold = !Double.isNaN(threshold);
        if (hasThreshold && score >= threshold) {
            remember(lang, score);
            return new Decision(true, "");
        }
        double fraction = config.topFraction();
        if (fraction <= 0) {
            // Only thresholds apply; a language without one passes.
            return hasThreshold
                    ? new Decision(
                            false,
                            String.format(
                                    Locale.ROOT,
                                    "score %.4f below %s's threshold %.4f",
                                    score,
                                    lang,
                                    threshold))
                    : new Decision(true, "");
        }
        RunningQuantile own = remember(lang, score);
        RunningQuantile window = own.size() >= config.warmup() ? own : pooled;
        if (fraction >= 1 || window.size() < config.warmup()) {
            return new Decision(true, "");
        }
        float cut = window.quantile(1 - fraction);
        if (score >= cut) {
            return new Decision(true, "");
        }
        return new Decision(
                false,
                String.format(
                        Locale.ROOT,
                        "score %.4f below the top %.0f%% of the last %d %s scores (cut %.4f)%s",
                        score,
                        fraction * 100,
                        window.size(),
                        window == own ? lang : "(all languages')",
                        cut,
                        hasThreshold
                                ? String.format(
                                        Locale.ROOT, " and %s's threshold %.4f", lang, threshold)
                                : ""));
    }

    private RunningQuantile remember(String lang, float score) {
        if (config.topFraction() <= 0) {
            return null;
        }
        RunningQuantile window =
                recent.computeIfAbsent(lang, l -> new RunningQuantile(config.window()));
        window.add(score);
        if (pooled == null) {
            pooled = new RunningQuantile(config.window());
        }
        pooled.add(score);
        return window;
    }

    /** Forgets every language's recent scores (a new model scores on another scale). */
    public void reset() {
        recent.clear();
        pooled = null;
    }
}
