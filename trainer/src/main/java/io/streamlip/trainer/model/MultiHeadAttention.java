package io.streamlip.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Multihead scaled dot-product attention, the part {@link TransformerBlock} (self-attention over a
 * sequence) and {@link MapHead} (a learned probe attending over the patches) share: splitting
 * projections into heads, {@code softmax(q kᵀ / √D + mask) v}, and merging the heads again. The
 * projections stay in the blocks, which own their parameters under the names checkpoints hold.
 *
 * <p>Shapes: B batch, S sequence, H heads, D = width / H per head.
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {}

    /** Checks that {@code heads} divide {@code width}; returns the width of one head. */
    public static int headWidth(int width, int heads) {
        if (width % heads != 0) {
            throw new IllegalArgumentException(heads + " heads do not divide width " + width);
        }
        return width / heads;
    }

    /** One projection (B, S, H·D) as heads (B, H, S, D). */
    public static NDArray splitHeads(NDArray projected, int heads) {
        Shape shape = projected.getShape();
        long headWidth = shape.get(2) / heads;
        return projected
                .reshape(shape.get(0), shape.get(1), heads, headWidth)
                .transpose(0, 2, 1, 3);
    }

    /**
     * A fused projection of {@code parts} parts (B, S, parts·H·D), e.g. query, key and value, as
     * {@code parts} arrays (B, H, S, D), in order.
     *
     * <p>Split, not {@code get(i)} on the (parts, B, H, S, D) view: select's backward fills a zero
     * tensor of the whole fused shape for every part, split's is one concatenation. And split on
     * the parts axis of (B, S, parts, H, D) <em>before</em> moving the heads forward: the
     * concatenation in backward then writes the gradient straight into the projection's layout.
     * Splitting the (parts, B, H, S, D) transpose instead concatenates into that layout and then
     * copies everything once more when its reshape back to (B, S, parts·H·D) meets non-contiguous
     * memory (profiles and before/after step times:
     * bench/results/trainer-vs-pytorch-2026-11-27.md).
     */
    public static NDList splitHeads(NDArray projected, int parts, int heads) {
        Shape shape = projected.getShape();
        long headWidth = shape.get(2) / parts / heads;
        NDList split =
                projected
                        .reshape(shape.get(0), shape.get(1), parts, heads, headWidth)
                        .split(parts, 2);
        NDList out = new NDList(parts);
        for (NDArray part : split) {
            out.add(part.squeeze(2).transpose(0, 2, 1, 3));
        }
        return out;
    }

    /**
     * Attention of queries {@code q} (B, H, Sq, D) over keys {@code k} and values {@code v} (B, H,
     * Sk, D), with the heads merged: (B, Sq, H·D).
     *
     * @param mask additive, broadcastable to (B, H, Sq, Sk): 0 where a key may be attended, a large
     *     negative number where not; null attends everywhere
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        Shape shape = q.getShape();
        long batch = shape.get(0);
        long heads = shape.get(1);
        long queries = shape.get(2);
        long headWidth = shape.get(3);
        // Never x.div(Number) on the gradient path: DJL wraps the number in a tensor over a Java
        // buffer and closes it at once, yet autograd keeps reading it in backward (random NaNs
        // once the buffer is collected). A scalar array in the step's manager lives long enough.
        NDArray scale = q.getManager().create((float) (1 / Math.sqrt(headWidth)));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attended = scores.softmax(-1).matMul(v); // (B, H, Sq, D)
        return attended.transpose(0, 2, 1, 3).reshape(batch, queries, heads * headWidth);
    }
}
