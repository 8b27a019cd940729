package io.streamlip.trainer.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Evaluation results per language and their mean over languages.
 *
 * @param languages metrics of each language, by language code (sorted); empty for a model without
 *     embeddings (a captioner trained without the pairwise loss)
 * @param mean the unweighted mean over languages, with {@code n} the total number of pairs
 * @param captions a captioner's caption metrics, or null for other models
 */
public record EvalReport(Map<String, Metrics> languages, Metrics mean, CaptionReport captions) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public EvalReport {
        languages = Collections.unmodifiableMap(new TreeMap<>(languages));
    }

    /** A retrieval report without caption metrics. */
    public EvalReport(Map<String, Metrics> languages, Metrics mean) {
        this(languages, mean, null);
    }

    /** This report with a captioner's metrics beside. */
    public EvalReport withCaptions(CaptionReport report) {
        return new EvalReport(languages, mean, report);
    }

    /**
     * The metrics of one language (or their mean).
     *
     * @param i2tR1 image-to-text recall@1: share of images whose most similar text has their class
     * @param i2tR5 image-to-text recall@5
     * @param i2tR10 image-to-text recall@10
     * @param t2iR1 text-to-image recall@1
     * @param t2iR5 text-to-image recall@5
     * @param t2iR10 text-to-image recall@10
     * @param zeroshotAcc zero-shot classification accuracy of the images against the classes' texts
     * @param n pairs evaluated
     * @param chanceR1 what {@code i2tR1} a random ranking would score
     */
    public record Metrics(
            double i2tR1,
            double i2tR5,
            double i2tR10,
            double t2iR1,
            double t2iR5,
            double t2iR10,
            double zeroshotAcc,
            long n,
            double chanceR1) {}

    /** Builds a report from per-language metrics, computing their mean. */
    public static EvalReport of(Map<String, Metrics> languages) {
        Collection<Metrics> all = languages.values();
        Metrics mean =
                new Metrics(
                        mean(all, Metrics::i2tR1),
                        mean(all, Metrics::i2tR5),
                        mean(all, Metrics::i2tR10),
                        mean(all, Metrics::t2iR1),
                        mean(all, Metrics::t2iR5),
                        mean(all, Metrics::t2iR10),
                        mean(all, Metrics::zeroshotAcc),
                        all.stream().mapToLong(Metrics::n).sum(),
                        mean(all, Metrics::chanceR1));
        return new EvalReport(languages, mean);
    }

    /** The unweighted mean over languages (0 for none). */
    private static double mean(Collection<Metrics> all, ToDoubleFunction<Metrics> metric) {
        double sum = 0;
        for (Metrics m : all) {
            sum += metric.applyAsDouble(m);
        }
        return sum / Math.max(1, all.size());
    }

    /**
     * One JSON object: {@code {"languages": {"en": {"i2t_r1": .., "i2t_r5": .., "i2t_r10": ..,
     * "t2i_r1": .., "t2i_r5": .., "t2i_r10": .., "zeroshot_acc": .., "n": .., "chance_r1": ..},
     * ..}, "mean": {same keys, n the total}}}.
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #toJson()} as a tree, e.g. to embed in a larger report. */
    public ObjectNode toJsonNode() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode langs = root.putObject("languages");
        languages.forEach((lang, m) -> langs.set(lang, node(m)));
        root.set("mean", node(mean));
        if (captions != null) {
            root.set("captions", captions.toJsonNode());
        }
        return root;
    }

    /** The mean metrics as a flat map (e.g. for a {@code ModelUpdate}'s eval summary). */
    public Map<String, Double> summary() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!languages.isEmpty() || captions == null) {
            out.put("i2t_r1", mean.i2tR1());
            out.put("t2i_r1", mean.t2iR1());
            out.put("zeroshot_acc", mean.zeroshotAcc());
        }
        if (captions != null) {
            out.put("caption_exact_match", captions.mean().exactMatch());
            out.put("caption_bleu4", captions.mean().bleu4());
        }
        return out;
    }

    private static ObjectNode node(Metrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("i2t_r1", m.i2tR1());
        o.put("i2t_r5", m.i2tR5());
        o.put("i2t_r10", m.i2tR10());
        o.put("t2i_r1", m.t2iR1());
        o.put("t2i_r5", m.t2iR5());
        o.put("t2i_r10", m.t2iR10());
        o.put("zeroshot_acc", m.zeroshotAcc());
        o.put("n", m.n());
        o.put("chance_r1", m.chanceR1());
        return o;
    }

    /** A fixed-width table for humans, one row per language and the mean last. */
    public String toTable() {
        if (captions == null) {
            return retrievalTable();
        }
        return (languages.isEmpty() ? "" : retrievalTable() + "\n") + captions.toTable();
    }

    private String retrievalTable() {
        StringBuilder sb = new StringBuilder();
        String header =
                String.format(
                        "%-6s %7s %7s %7s %7s %7s %7s %9s %8s %7s%n",
                        "lang",
                        "I→T@1",
                        "I→T@5",
                        "I→T@10",
                        "T→I@1",
                        "T→I@5",
                        "T→I@10",
                        "zero-shot",
                        "chance@1",
                        "n");
        sb.append(header);
        languages.forEach((lang, m) -> sb.append(row(lang, m)));
        sb.append(row("mean", mean));
        return sb.toString();
    }

    private static String row(String label, Metrics m) {
        return String.format(
                "%-6s %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %9.3f %8.3f %7d%n",
                label,
                m.i2tR1(),
                m.i2tR5(),
                m.i2tR10(),
                m.t2iR1(),
                m.t2iR5(),
                m.t2iR10(),
                m.zeroshotAcc(),
                m.chanceR1(),
                m.n());
    }
}
