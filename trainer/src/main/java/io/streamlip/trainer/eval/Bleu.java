package io.streamlip.trainer.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus-level BLEU (Papineni et al. 2002, "BLEU: a Method for Automatic Evaluation of Machine
 * Translation"), written from its definition:
 *
 * <ul>
 *   <li>modified n-gram precision {@code p_n}: over the whole corpus, the sum of each candidate
 *       n-gram's count clipped to its largest count in any one reference of that candidate, divided
 *       by the number of candidate n-grams;
 *   <li>brevity penalty {@code BP = 1} if {@code c > r}, else {@code exp(1 - r/c)}, with c the
 *       candidates' total length and r the sum over candidates of the reference length closest to
 *       the candidate's (the shorter on a tie);
 *   <li>{@code BLEU = BP · exp(Σ_{n=1..N} (1/N) log p_n)}, N = 4; 0 when some {@code p_n} is 0 or
 *       there is no candidate token (no smoothing).
 * </ul>
 *
 * <p>Texts become tokens by {@link #tokens}: lower-cased (as the paper's Example 2 counts "The" and
 * "the" as one word), whitespace-separated words, except that every character of a script written
 * without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan) is a token of its
 * own, so Chinese and Japanese captions score by characters.
 */
public final class Bleu {
    /** BLEU-4's n-gram orders. */
    public static final int MAX_ORDER = 4;

    private final int maxOrder;
    private final long[] matched;
    private final long[] total;
    private long candidateLength;
    private long referenceLength;
    private long segments;

    /** An empty corpus for BLEU-{@code maxOrder}. */
    public Bleu(int maxOrder) {
        if (maxOrder < 1) {
            throw new IllegalArgumentException("maxOrder must be positive, got " + maxOrder);
        }
        this.maxOrder = maxOrder;
        matched = new long[maxOrder];
        total = new long[maxOrder];
    }

    /** An empty corpus for BLEU-4. */
    public Bleu() {
        this(MAX_ORDER);
    }

    /** Adds one candidate (tokens) with its references (at least one). */
    public void add(List<String> candidate, List<List<String>> references) {
        if (references.isEmpty()) {
            throw new IllegalArgumentException("a candidate needs at least one reference");
        }
        for (int n = 1; n <= maxOrder; n++) {
            Map<List<String>, Integer> counts = ngrams(candidate, n);
            Map<List<String>, Integer> maxRef = new HashMap<>();
            for (List<String> reference : references) {
                ngrams(reference, n).forEach((g, c) -> maxRef.merge(g, c, Math::max));
            }
            for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
                matched[n - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
                total[n - 1] += e.getValue();
            }
        }
        candidateLength += candidate.size();
        referenceLength += closestLength(candidate.size(), references);
        segments++;
    }

    /** Adds one candidate text with its reference texts, tokenized by {@link #tokens}. */
    public void addTexts(String candidate, List<String> references) {
        List<List<String>> refs = new ArrayList<>(references.size());
        for (String r : references) {
            refs.add(tokens(r));
        }
        add(tokens(candidate), refs);
    }

    /** The modified n-gram precision {@code p_n} so far: clipped matches over candidate n-grams. */
    public double precision(int n) {
        return total[n - 1] == 0 ? 0 : (double) matched[n - 1] / total[n - 1];
    }

    /** Clipped n-gram matches so far. */
    public long matched(int n) {
        return matched[n - 1];
    }

    /** Candidate n-grams so far. */
    public long candidateNgrams(int n) {
        return total[n - 1];
    }

    /** The brevity penalty so far. */
    public double brevityPenalty() {
        if (candidateLength == 0) {
            return 0;
        }
        return candidateLength > referenceLength
                ? 1
                : Math.exp(1 - (double) referenceLength / candidateLength);
    }

    /** Candidates added. */
    public long segments() {
        return segments;
    }

    /** The corpus BLEU score in [0, 1]. */
    public double score() {
        double logSum = 0;
        for (int n = 1; n <= maxOrder; n++) {
            if (matched[n - 1] == 0) {
                return 0;
            }
            logSum += Math.log(precision(n)) / maxOrder;
        }
        return brevityPenalty() * Math.exp(logSum);
    }

    private static long closestLength(int length, List<List<String>> references) {
        int best = -1;
        for (List<String> r : references) {
            int size = r.size();
            int d = Math.abs(size - length);
            int bestD = best < 0 ? Integer.MAX_VALUE : Math.abs(best - length);
            if (d < bestD || (d == bestD && size < best)) {
                best = size;
            }
        }
        return best;
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    /** The tokens of {@code text}; see the class comment. */
    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.toLowerCase(java.util.Locale.ROOT)
                .codePoints()
                .forEach(
                        cp -> {
                            if (Character.isWhitespace(cp)) {
                                flush(word, out);
                            } else if (unspaced(cp)) {
                                flush(word, out);
                                out.add(new String(Character.toChars(cp)));
                            } else {
                                word.appendCodePoint(cp);
                            }
                        });
        flush(word, out);
        return out;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (word.length() > 0) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    private static boolean unspaced(int codePoint) {
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return switch (script) {
            case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN -> true;
            default -> false;
        };
    }
}
