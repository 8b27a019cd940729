package io.streamlip.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The table of {@code streamlip bench families}: per variant, the mean over its runs of each figure
 * with the spread (min–max), overall and per language. A figure a run does not have (a language
 * missing from its report, NaN) is left out of that figure's mean and counted out of {@link
 * Spread#n}.
 */
final class FamiliesReport {
    static final String TITLE =
            "families: two towers vs CLIPPO vs LIMoE (and its dense baseline) vs the captioner on"
                    + " the demo's emoji stream at equal training CPU time";

    private FamiliesReport() {}

    /** Mean, lowest and highest of a figure over runs, and how many runs had it. */
    record Spread(double mean, double min, double max, int n) {
        static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN, 0);

        /** The spread of {@code values}, NaN left out. */
        static Spread of(List<Double> values) {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            int n = 0;
            for (Double v : values) {
                if (v == null || v.isNaN()) {
                    continue;
                }
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                n++;
            }
            return n == 0 ? NONE : new Spread(sum / n, min, max, n);
        }

        /** {@code mean [min–max]} at {@code digits} decimals, or {@code -} for none. */
        String format(int digits) {
            if (n == 0) {
                return "-";
            }
            String f = "%." + digits + "f";
            return String.format(Locale.ROOT, f + " [" + f + "–" + f + "]", mean, min, max);
        }
    }

    /** The runs of each variant, in the order of first appearance. */
    static Map<String, List<FamilyRunResult>> byVariant(List<FamilyRunResult> runs) {
        Map<String, List<FamilyRunResult>> out = new LinkedHashMap<>();
        for (FamilyRunResult r : runs) {
            out.computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** A figure of each run, spread over the runs. */
    static Spread spread(List<FamilyRunResult> runs, ToDoubleFunction<FamilyRunResult> figure) {
        return Spread.of(runs.stream().map(r -> figure.applyAsDouble(r)).toList());
    }

    /**
     * A per-language figure spread over the runs, by language (sorted, the mean over languages
     * last): {@code table} picks a run's per-language map, {@code figure} the number.
     */
    static <T> Map<String, Spread> perLanguage(
            List<FamilyRunResult> runs,
            Function<FamilyRunResult, Map<String, T>> table,
            ToDoubleFunction<T> figure) {
        Map<String, List<Double>> values = new TreeMap<>();
        for (FamilyRunResult r : runs) {
            for (Map.Entry<String, T> e : table.apply(r).entrySet()) {
                if (!e.getKey().equals(FamilyRunResult.MEAN)) {
                    values.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(figure.applyAsDouble(e.getValue()));
                }
            }
        }
        Map<String, Spread> out = new LinkedHashMap<>();
        values.forEach((lang, v) -> out.put(lang, Spread.of(v)));
        List<Double> means = new ArrayList<>();
        for (FamilyRunResult r : runs) {
            T mean = table.apply(r).get(FamilyRunResult.MEAN);
            means.add(mean == null ? Double.NaN : figure.applyAsDouble(mean));
        }
        Spread meanSpread = Spread.of(means);
        if (meanSpread.n() > 0) {
            out.put(FamilyRunResult.MEAN, meanSpread);
        }
        return out;
    }

    /** The overall mean of a retrieval figure ({@link FamilyRunResult#MEAN}) over the runs. */
    static Spread retrievalMean(
            List<FamilyRunResult> runs, ToDoubleFunction<FamilyRunResult.Retrieval> figure) {
        return perLanguage(runs, FamilyRunResult::retrieval, figure)
                .getOrDefault(FamilyRunResult.MEAN, Spread.NONE);
    }

    /** The overall mean of a caption figure over the runs. */
    static Spread captionMean(
            List<FamilyRunResult> runs, ToDoubleFunction<FamilyRunResult.Captioning> figure) {
        return perLanguage(runs, FamilyRunResult::captions, figure)
                .getOrDefault(FamilyRunResult.MEAN, Spread.NONE);
    }

    /** The benchmark's result: the summary table, per-language notes and every run in JSON. */
    static BenchResult of(List<FamilyRunResult> runs, List<String> failures, String settings) {
        BenchResult result =
                new BenchResult(
                        TITLE,
                        List.of(
                                "variant",
                                "runs",
                                "params",
                                "steps",
                                "CPU ms/step",
                                "wall ms/step",
                                "i2t@1",
                                "i2t@5",
                                "t2i@1",
                                "t2i@5",
                                "exact",
                                "BLEU-4",
                                "peak RSS MiB",
                                "train +MiB"));
        Map<String, List<FamilyRunResult>> variants = byVariant(runs);
        variants.forEach(
                (name, rs) ->
                        result.row(
                                name,
                                rs.size(),
                                rs.get(0).parameters(),
                                spread(rs, r -> r.steps()).format(0),
                                spread(rs, FamilyRunResult::cpuMsPerStep).format(0),
                                spread(rs, FamilyRunResult::wallMsPerStep).format(0),
                                retrievalMean(rs, FamilyRunResult.Retrieval::i2tR1).format(4),
                                retrievalMean(rs, FamilyRunResult.Retrieval::i2tR5).format(4),
                                retrievalMean(rs, FamilyRunResult.Retrieval::t2iR1).format(4),
                                retrievalMean(rs, FamilyRunResult.Retrieval::t2iR5).format(4),
                                captionMean(rs, FamilyRunResult.Captioning::exactMatch).format(4),
                                captionMean(rs, FamilyRunResult.Captioning::bleu4).format(4),
                                spread(rs, FamilyRunResult::peakRssMib).format(0),
                                spread(rs, FamilyRunResult::trainingGrowthMib).format(0)));
        result.note(settings);
        result.note(
                "Each cell: mean over runs [min–max]. i2t/t2i: held-out recall, unweighted mean"
                        + " over languages. exact/BLEU-4: the captioner's held-out exact match of"
                        + " the emoji name and corpus BLEU-4, mean over languages. peak RSS: the"
                        + " run's process over its life (stream and held-out set included);"
                        + " train +MiB: its high-water mark during training above the resident"
                        + " memory just before the model was made.");
        for (String line : perLanguageLines(variants)) {
            result.note(line);
        }
        for (String failure : failures) {
            result.note("FAILED: " + failure);
        }
        result.put("runs", runs);
        result.put("failures", failures);
        return result;
    }

    /** Per variant, one line per language: the recall and caption figures with their spread. */
    static List<String> perLanguageLines(Map<String, List<FamilyRunResult>> variants) {
        List<String> lines = new ArrayList<>();
        variants.forEach(
                (name, rs) -> {
                    Map<String, Spread> i2t1 =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::retrieval,
                                    FamilyRunResult.Retrieval::i2tR1);
                    Map<String, Spread> i2t5 =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::retrieval,
                                    FamilyRunResult.Retrieval::i2tR5);
                    Map<String, Spread> t2i1 =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::retrieval,
                                    FamilyRunResult.Retrieval::t2iR1);
                    Map<String, Spread> t2i5 =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::retrieval,
                                    FamilyRunResult.Retrieval::t2iR5);
                    Map<String, Spread> exact =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::captions,
                                    FamilyRunResult.Captioning::exactMatch);
                    Map<String, Spread> bleu =
                            perLanguage(
                                    rs,
                                    FamilyRunResult::captions,
                                    FamilyRunResult.Captioning::bleu4);
                    List<String> langs = new ArrayList<>(i2t1.keySet());
                    exact.keySet().stream().filter(l -> !langs.contains(l)).forEach(langs::add);
                    langs.remove(FamilyRunResult.MEAN);
                    langs.add(FamilyRunResult.MEAN);
                    lines.add("");
                    lines.add(
                            name
                                    + " per language (mean [min–max] over "
                                    + rs.size()
                                    + " runs): lang | i2t@1 | i2t@5 | t2i@1 | t2i@5 | exact |"
                                    + " BLEU-4");
                    for (String lang : langs) {
                        lines.add(
                                String.join(
                                        " | ",
                                        lang,
                                        i2t1.getOrDefault(lang, Spread.NONE).format(4),
                                        i2t5.getOrDefault(lang, Spread.NONE).format(4),
                                        t2i1.getOrDefault(lang, Spread.NONE).format(4),
                                        t2i5.getOrDefault(lang, Spread.NONE).format(4),
                                        exact.getOrDefault(lang, Spread.NONE).format(4),
                                        bleu.getOrDefault(lang, Spread.NONE).format(4)));
                    }
                });
        return lines;
    }
}
