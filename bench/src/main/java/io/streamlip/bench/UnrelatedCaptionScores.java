package io.streamlip.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cross-modal scores of clean pairs and of pairs with an unrelated caption, by language, and what a
 * threshold on them would catch: for a share {@code s} of clean pairs refused, the threshold is the
 * clean scores' {@code s} quantile (pairs scoring below it are refused), and the recall is the
 * share of unrelated-caption pairs below it. Not thread-safe.
 */
final class UnrelatedCaptionScores {
    /** The shares of clean pairs refused the benchmark reports. */
    static final List<Double> CLEAN_REFUSED = List.of(0.01, 0.05, 0.10);

    private final Map<String, List<Float>> clean = new TreeMap<>();
    private final Map<String, List<Float>> unrelated = new TreeMap<>();

    void addClean(String lang, float score) {
        clean.computeIfAbsent(lang, l -> new ArrayList<>()).add(score);
    }

    void addUnrelated(String lang, float score) {
        unrelated.computeIfAbsent(lang, l -> new ArrayList<>()).add(score);
    }

    /** Languages with at least one score of either kind, in order. */
    List<String> languages() {
        TreeMap<String, Boolean> all = new TreeMap<>();
        clean.keySet().forEach(l -> all.put(l, true));
        unrelated.keySet().forEach(l -> all.put(l, true));
        return List.copyOf(all.keySet());
    }

    /** The clean scores of {@code lang}, or of every language when null. */
    float[] clean(String lang) {
        return scores(clean, lang);
    }

    /** The unrelated-caption scores of {@code lang}, or of every language when null. */
    float[] unrelated(String lang) {
        return scores(unrelated, lang);
    }

    private static float[] scores(Map<String, List<Float>> byLang, String lang) {
        List<Float> all = new ArrayList<>();
        if (lang == null) {
            byLang.values().forEach(all::addAll);
        } else {
            all.addAll(byLang.getOrDefault(lang, List.of()));
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /**
     * The threshold that refuses {@code share} of {@code clean}: its {@code floor(share * n)}-th
     * smallest score (scores strictly below it are refused); NaN without clean scores.
     */
    static double threshold(float[] clean, double share) {
        if (clean.length == 0) {
            return Double.NaN;
        }
        float[] sorted = clean.clone();
        Arrays.sort(sorted);
        int index = (int) Math.floor(share * sorted.length);
        return sorted[Math.min(index, sorted.length - 1)];
    }

    /** The share of {@code noise} scoring below {@code threshold}; NaN when either is empty. */
    static double recall(float[] noise, double threshold) {
        if (noise.length == 0 || Double.isNaN(threshold)) {
            return Double.NaN;
        }
        long below = 0;
        for (float s : noise) {
            if (s < threshold) {
                below++;
            }
        }
        return (double) below / noise.length;
    }

    /**
     * The probability that a random unrelated-caption pair scores below a random clean pair (ties
     * count half): the area under the ROC curve; NaN when either is empty.
     */
    static double auc(float[] clean, float[] noise) {
        if (clean.length == 0 || noise.length == 0) {
            return Double.NaN;
        }
        float[] sorted = clean.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (float s : noise) {
            int below = lowerBound(sorted, s);
            int notAbove = upperBound(sorted, s);
            sum += (sorted.length - notAbove) + 0.5 * (notAbove - below);
        }
        return sum / ((double) clean.length * noise.length);
    }

    private static int lowerBound(float[] sorted, float v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(float[] sorted, float v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
