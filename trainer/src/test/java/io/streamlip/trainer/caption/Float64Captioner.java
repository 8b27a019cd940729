package io.streamlip.trainer.caption;

import io.streamlip.trainer.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The captioner's forward pass and teacher-forced loss in plain Java doubles, from its parameters
 * by name: the test's independent reference. Written from the blocks' definitions (pre-LN blocks,
 * LayerNorm eps 1e-5, exact erf GELU, fused projections split as (parts, heads, head width)).
 */
final class Float64Captioner {
    private static final double LN_EPS = 1e-5;

    private final ModelConfig config;
    private final Map<String, double[]> params = new LinkedHashMap<>();

    /**
     * @param named parameter arrays by name with DJL's numbering removed ("towers_image_..")
     */
    Float64Captioner(ModelConfig config, Map<String, float[]> named) {
        this.config = config;
        named.forEach(
                (k, v) -> {
                    double[] d = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                        d[i] = v[i];
                    }
                    params.put(k, d);
                });
    }

    private double[] p(String name) {
        double[] v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter " + name + " in " + params.keySet());
        }
        return v;
    }

    /** Patch tokens (P x W) of one image, channel-major floats (3, H, W). */
    double[][] imageTokens(float[] image) {
        int size = config.imageSize();
        int patch = config.patchSize();
        int side = size / patch;
        int width = config.imageWidth();
        double[] w = p("towers_image_patch_embedding_weight");
        double[] bias = p("towers_image_patch_embedding_bias");
        double[] pos = p("towers_image_positions");
        double[][] x = new double[side * side][width];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                for (int c = 0; c < width; c++) {
                    double s = bias[c];
                    for (int ch = 0; ch < 3; ch++) {
                        for (int di = 0; di < patch; di++) {
                            for (int dj = 0; dj < patch; dj++) {
                                s +=
                                        w[((c * 3 + ch) * patch + di) * patch + dj]
                                                * image[
                                                        (ch * size + i * patch + di) * size
                                                                + j * patch
                                                                + dj];
                            }
                        }
                    }
                    x[i * side + j][c] = s + pos[(i * side + j) * width + c];
                }
            }
        }
        for (int b = 0; b < config.imageDepth(); b++) {
            String pre = "towers_image_block_" + b + "_";
            double[][] h = layerNorm(x, pre + "attention_norm");
            double[][] qkv = linear(h, pre + "qkv");
            double[][] att =
                    attention(
                            qkv, 0, qkv, width, qkv, 2 * width, width, config.imageHeads(), false);
            x = add(x, linear(att, pre + "attention_out"));
            x = mlp(x, pre);
        }
        return layerNorm(x, "towers_image_final_norm");
    }

    /** Logits (L x V) of decoder input ids given one image's patch tokens. */
    double[][] logits(double[][] imageTokens, int[] ids) {
        int width = config.decoder().width();
        int heads = config.decoder().heads();
        double[] table = p("decoder_token_table");
        double[] pos = p("decoder_positions");
        double[][] x = new double[ids.length][width];
        for (int t = 0; t < ids.length; t++) {
            for (int c = 0; c < width; c++) {
                x[t][c] = table[ids[t] * width + c] + pos[t * width + c];
            }
        }
        double[][] memory = linear(imageTokens, "decoder_image_projection");
        for (int b = 0; b < config.decoder().depth(); b++) {
            String pre = "decoder_block_" + b + "_";
            double[][] h = layerNorm(x, pre + "self_norm");
            double[][] qkv = linear(h, pre + "self_qkv");
            x =
                    add(
                            x,
                            linear(
                                    attention(
                                            qkv, 0, qkv, width, qkv, 2 * width, width, heads, true),
                                    pre + "self_out"));
            h = layerNorm(x, pre + "cross_norm");
            double[][] q = linear(h, pre + "cross_query");
            double[][] kv = linear(memory, pre + "cross_key_value");
            x =
                    add(
                            x,
                            linear(
                                    attention(q, 0, kv, 0, kv, width, width, heads, false),
                                    pre + "cross_out"));
            x = mlp(x, pre);
        }
        return linear(layerNorm(x, "decoder_final_norm"), "decoder_output");
    }

    /** Mean token cross-entropy over the scored targets of a batch. */
    double loss(float[] images, int[] tokenIds, float[] mask, List<String> langs) {
        CaptionPrompts.TeacherForcing tf =
                CaptionPrompts.teacherForcing(config, tokenIds, mask, langs);
        int plane = 3 * config.imageSize() * config.imageSize();
        int length = tf.length();
        double sum = 0;
        double count = 0;
        for (int b = 0; b < langs.size(); b++) {
            float[] image = java.util.Arrays.copyOfRange(images, b * plane, (b + 1) * plane);
            int[] in = java.util.Arrays.copyOfRange(tf.inputs(), b * length, (b + 1) * length);
            double[][] logits = logits(imageTokens(image), in);
            for (int t = 0; t < length; t++) {
                double m = tf.targetMask()[b * length + t];
                if (m == 0) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double v : logits[t]) {
                    max = Math.max(max, v);
                }
                double z = 0;
                for (double v : logits[t]) {
                    z += Math.exp(v - max);
                }
                int target = tf.targets()[b * length + t];
                sum += m * -(logits[t][target] - max - Math.log(z));
                count += m;
            }
        }
        return sum / count;
    }

    private double[][] mlp(double[][] x, String pre) {
        double[][] h = linear(layerNorm(x, pre + "mlp_norm"), pre + "mlp_in");
        for (double[] row : h) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
            }
        }
        return add(x, linear(h, pre + "mlp_out"));
    }

    /**
     * Multihead attention: queries from columns [qOff, qOff + width) of q, keys and values
     * likewise; heads split each as (heads, width / heads).
     */
    private static double[][] attention(
            double[][] q,
            int qOff,
            double[][] k,
            int kOff,
            double[][] v,
            int vOff,
            int width,
            int heads,
            boolean causal) {
        int d = width / heads;
        double[][] out = new double[q.length][width];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < q.length; i++) {
                double[] scores = new double[k.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k.length; j++) {
                    if (causal && j > i) {
                        scores[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double s = 0;
                    for (int e = 0; e < d; e++) {
                        s += q[i][qOff + h * d + e] * k[j][kOff + h * d + e];
                    }
                    scores[j] = s / Math.sqrt(d);
                    max = Math.max(max, scores[j]);
                }
                double z = 0;
                for (int j = 0; j < k.length; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    z += scores[j];
                }
                for (int j = 0; j < k.length; j++) {
                    for (int e = 0; e < d; e++) {
                        out[i][h * d + e] += scores[j] / z * v[j][vOff + h * d + e];
                    }
                }
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String name) {
        double[] w = p(name + "_weight");
        double[] b = p(name + "_bias");
        int in = x[0].length;
        int units = w.length / in;
        double[][] y = new double[x.length][units];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < units; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += w[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String name) {
        double[] gamma = p(name + "_gamma");
        double[] beta = p(name + "_beta");
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + LN_EPS) * gamma[i] + beta[i];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }

    /** erf by its Taylor series (|x| <= 5; beyond, erf is ±1 within 2e-12). */
    static double erf(double x) {
        if (Math.abs(x) > 5) {
            return Math.signum(x);
        }
        double sum = 0;
        double term = x; // x^(2n+1) (-1)^n / n!
        for (int n = 0; n < 200; n++) {
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17) {
                break;
            }
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
