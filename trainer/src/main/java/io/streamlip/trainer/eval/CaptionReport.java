package io.streamlip.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A captioner's held-out results per language and their unweighted mean over languages.
 *
 * @param languages metrics by language code (sorted)
 * @param mean the mean over languages, {@code n} the total
 */
public record CaptionReport(Map<String, Metrics> languages, Metrics mean) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public CaptionReport {
        languages = Collections.unmodifiableMap(new TreeMap<>(languages));
    }

    /**
     * @param exactMatch share of captioned images whose caption equals one of its references (the
     *     emoji's name in that language, as the tokenizer writes it back)
     * @param bleu4 corpus BLEU-4 ({@link Bleu}) of the language's captions against their references
     * @param n images captioned
     * @param example one caption written, for a reader (the first image's), may be empty
     */
    public record Metrics(double exactMatch, double bleu4, long n, String example) {}

    /** A report of per-language metrics with their mean. */
    public static CaptionReport of(Map<String, Metrics> languages) {
        double em = 0;
        double bleu = 0;
        long n = 0;
        for (Metrics m : languages.values()) {
            em += m.exactMatch();
            bleu += m.bleu4();
            n += m.n();
        }
        int count = Math.max(1, languages.size());
        return new CaptionReport(languages, new Metrics(em / count, bleu / count, n, ""));
    }

    /**
     * {@code {"languages": {"en": {"exact_match": .., "bleu4": .., "n": .., "example": ".."}, ..},
     * "mean": {"exact_match": .., "bleu4": .., "n": ..}}}.
     */
    public ObjectNode toJsonNode() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode langs = root.putObject("languages");
        languages.forEach((lang, m) -> langs.set(lang, node(m, true)));
        root.set("mean", node(mean, false));
        return root;
    }

    private static ObjectNode node(Metrics m, boolean example) {
        ObjectNode o = JSON.createObjectNode();
        o.put("exact_match", m.exactMatch());
        o.put("bleu4", m.bleu4());
        o.put("n", m.n());
        if (example) {
            o.put("example", m.example());
        }
        return o;
    }

    /** A fixed-width table, one row per language and the mean last. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-6s %7s %7s %7s  %s%n", "lang", "exact", "BLEU-4", "n", "e.g."));
        languages.forEach(
                (lang, m) ->
                        sb.append(
                                String.format(
                                        "%-6s %7.3f %7.3f %7d  %s%n",
                                        lang, m.exactMatch(), m.bleu4(), m.n(), m.example())));
        sb.append(
                String.format(
                        "%-6s %7.3f %7.3f %7d%n",
                        "mean", mean.exactMatch(), mean.bleu4(), mean.n()));
        return sb.toString();
    }
}
