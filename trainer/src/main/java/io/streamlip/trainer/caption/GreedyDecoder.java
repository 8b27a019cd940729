package io.streamlip.trainer.caption;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding: from the language prompt, append the most likely token (the lowest id among
 * equals) until the end-of-sequence id or {@code maxLength} tokens. The image tower runs once; the
 * decoder reruns on the whole prefix at each step (no key-value cache: captions are short).
 * Deterministic for given parameters and inputs.
 */
public final class GreedyDecoder {
    private GreedyDecoder() {}

    /**
     * Captions of images (B, 3, H, W), each in its language ({@code langs}, B entries, null for
     * none).
     *
     * @return per image the generated ids without the end-of-sequence id
     */
    public static int[][] decode(
            CaptionerModel model, ParameterStore ps, NDArray images, List<String> langs, int eos) {
        int batch = Math.toIntExact(images.getShape().get(0));
        if (langs.size() != batch) {
            throw new IllegalArgumentException(
                    langs.size() + " languages for " + batch + " images");
        }
        int maxLength = model.config().decoder().maxLength();
        NDManager m = images.getManager();
        NDArray tokens = model.imageTokens(ps, images, false);
        int[][] prefix = new int[batch][maxLength + 1];
        int[] lengths = new int[batch];
        boolean[] done = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            prefix[b][0] = CaptionPrompts.promptId(model.config(), langs.get(b));
        }
        int open = batch;
        for (int t = 0; t < maxLength && open > 0; t++) {
            int length = t + 1;
            int[] flat = new int[batch * length];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(prefix[b], 0, flat, b * length, length);
            }
            try (NDManager step = m.newSubManager()) {
                NDArray input = step.create(flat, new Shape(batch, length));
                NDArray logits = model.logits(ps, tokens, input, false);
                float[] last = logits.get(new NDIndex(":, {}, :", t)).toFloatArray();
                int vocab = last.length / batch;
                for (int b = 0; b < batch; b++) {
                    if (done[b]) {
                        continue;
                    }
                    int best = argMax(last, b * vocab, vocab);
                    if (best == eos) {
                        done[b] = true;
                        open--;
                    } else {
                        prefix[b][length] = best;
                        lengths[b]++;
                    }
                }
            }
        }
        int[][] out = new int[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOfRange(prefix[b], 1, 1 + lengths[b]);
        }
        return out;
    }

    private static int argMax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
