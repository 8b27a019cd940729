package io.streamlip.trainer.caption;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Teacher-forced token cross-entropy: the mean over real (unmasked) target tokens of {@code -log
 * softmax(logits)[target]}. Padding targets carry no weight.
 */
public final class CaptionLoss {
    private CaptionLoss() {}

    /**
     * @param logits (B, L, V)
     * @param targets (B, L) ids in [0, V)
     * @param mask (B, L), 1 for a scored token, 0 for padding
     * @return the scalar loss
     */
    public static NDArray compute(NDArray logits, NDArray targets, NDArray mask) {
        NDArray logProbs = logits.logSoftmax(2);
        NDArray index = targets.toType(DataType.INT64, false).expandDims(2);
        NDArray picked = logProbs.gather(index, 2).squeeze(2); // (B, L)
        // Never div(Number) on the gradient path (see MultiHeadAttention.attend): divide by an
        // array that lives in the step's manager.
        NDArray tokens = mask.sum().maximum(1f);
        return picked.mul(mask).sum().neg().div(tokens);
    }
}
