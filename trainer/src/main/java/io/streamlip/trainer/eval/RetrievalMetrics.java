package io.streamlip.trainer.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retrieval and zero-shot metrics of one language from unit-length embeddings, in plain Java.
 *
 * <p>A retrieval query hits at K when a candidate of its own class is among the K most similar
 * (cosine). Ties are broken by candidate order, never in the query's favour by accident: a model
 * that maps everything to one point scores like a random ranking, not perfectly.
 */
public final class RetrievalMetrics {
    private static final int[] KS = {1, 5, 10};

    private RetrievalMetrics() {}

    /**
     * Metrics of one language.
     *
     * @param images image embeddings, one row per distinct image of the language
     * @param imageClasses the class of each image
     * @param texts text embeddings, one row per text (pair) of the language
     * @param textClasses the class of each text
     * @param pairs the number of pairs, reported as {@code n}
     */
    public static EvalReport.Metrics compute(
            float[][] images,
            String[] imageClasses,
            float[][] texts,
            String[] textClasses,
            int pairs) {
        if (images.length != imageClasses.length || texts.length != textClasses.length) {
            throw new IllegalArgumentException("embeddings and classes differ in count");
        }
        double[] i2t = recall(images, imageClasses, texts, textClasses);
        double[] t2i = recall(texts, textClasses, images, imageClasses);
        return new EvalReport.Metrics(
                i2t[0],
                i2t[1],
                i2t[2],
                t2i[0],
                t2i[1],
                t2i[2],
                zeroShot(images, imageClasses, texts, textClasses),
                pairs,
                chanceAtOne(imageClasses, textClasses));
    }

    /** Recall@1/5/10 of each query against all candidates. */
    static double[] recall(
            float[][] queries,
            String[] queryClasses,
            float[][] candidates,
            String[] candidateClasses) {
        int[] hits = new int[KS.length];
        for (int q = 0; q < queries.length; q++) {
            double[] sims = new double[candidates.length];
            int best = -1;
            for (int c = 0; c < candidates.length; c++) {
                sims[c] = dot(queries[q], candidates[c]);
                if (candidateClasses[c].equals(queryClasses[q])
                        && (best < 0 || sims[c] > sims[best])) {
                    best = c;
                }
            }
            if (best < 0) {
                continue; // no candidate of its class: a miss at every K
            }
            // Position of the best matching candidate in the ranking by (similarity desc, index).
            int position = 0;
            for (int c = 0; c < candidates.length; c++) {
                if (sims[c] > sims[best] || (sims[c] == sims[best] && c < best)) {
                    position++;
                }
            }
            for (int k = 0; k < KS.length; k++) {
                if (position < KS[k]) {
                    hits[k]++;
                }
            }
        }
        double[] out = new double[KS.length];
        for (int k = 0; k < KS.length; k++) {
            out[k] = queries.length == 0 ? 0 : (double) hits[k] / queries.length;
        }
        return out;
    }

    /**
     * Zero-shot accuracy: each image is given the class whose text embedding (the normalised mean
     * of the class's texts) is most similar.
     */
    static double zeroShot(
            float[][] images, String[] imageClasses, float[][] texts, String[] textClasses) {
        Map<String, List<float[]>> byClass = new TreeMap<>();
        for (int t = 0; t < texts.length; t++) {
            byClass.computeIfAbsent(textClasses[t], k -> new ArrayList<>()).add(texts[t]);
        }
        Map<String, float[]> prototypes = new LinkedHashMap<>();
        byClass.forEach((label, members) -> prototypes.put(label, normalisedMean(members)));
        if (images.length == 0 || prototypes.isEmpty()) {
            return 0;
        }
        int correct = 0;
        for (int i = 0; i < images.length; i++) {
            String predicted = null;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (var e : prototypes.entrySet()) {
                double s = dot(images[i], e.getValue());
                if (s > bestSim) { // strict: ties go to the first class
                    bestSim = s;
                    predicted = e.getKey();
                }
            }
            if (imageClasses[i].equals(predicted)) {
                correct++;
            }
        }
        return (double) correct / images.length;
    }

    /** Image-to-text recall@1 of a random ranking: mean share of texts of the image's class. */
    static double chanceAtOne(String[] imageClasses, String[] textClasses) {
        if (imageClasses.length == 0 || textClasses.length == 0) {
            return 0;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (String c : textClasses) {
            counts.merge(c, 1, Integer::sum);
        }
        double sum = 0;
        for (String c : imageClasses) {
            sum += (double) counts.getOrDefault(c, 0) / textClasses.length;
        }
        return sum / imageClasses.length;
    }

    private static float[] normalisedMean(List<float[]> rows) {
        float[] mean = new float[rows.get(0).length];
        for (float[] r : rows) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += r[i];
            }
        }
        double norm = Math.sqrt(dot(mean, mean));
        if (norm > 0) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= (float) norm;
            }
        }
        return mean;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
