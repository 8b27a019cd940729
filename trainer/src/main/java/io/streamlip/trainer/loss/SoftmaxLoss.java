package io.streamlip.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * CLIP's softmax loss (Radford et al. 2021; SigLIP eq. 1), the baseline the sigmoid loss is
 * compared with:
 *
 * <pre>L = -(1/2|B|) Σ_i [ log softmax_j(t x_i·y_j)_i + log softmax_j(t x_j·y_i)_i ]</pre>
 *
 * image-to-text over each row, text-to-image over each column. The bias {@code b} cancels in a
 * softmax; it is kept in the graph with a gradient of exactly zero so that optimisers treat both
 * losses' parameters alike (and it stays where it was).
 */
public final class SoftmaxLoss {
    private SoftmaxLoss() {}

    /**
     * The loss of unit-length embeddings x (B, D) and y (B, D) with log-temperature {@code t'} and
     * bias {@code b} (both shape (1)). The result is a scalar in {@code x}'s manager.
     */
    public static NDArray compute(NDArray x, NDArray y, NDArray logTemperature, NDArray bias) {
        NDManager manager = x.getManager();
        NDArray t = logTemperature.exp();
        t.attach(manager); // exp() of a parameter lands in the parameter's manager
        NDArray logits = x.matMul(y.transpose()).mul(t);
        NDArray loss = compute(logits);
        NDArray zero = manager.zeros(bias.getShape());
        // zero first: the product then belongs to the step's manager, not the parameter's.
        return loss.add(zero.mul(bias).sum());
    }

    /** The loss of a (B, B) logit matrix (bias-free) whose diagonal holds the matching pairs. */
    public static NDArray compute(NDArray logits) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 2 || shape[0] != shape[1]) {
            throw new IllegalArgumentException(
                    "logits must be a square (B, B) matrix, got " + logits.getShape());
        }
        int batch = (int) shape[0];
        NDManager manager = logits.getManager();
        NDArray eye = manager.eye(batch);
        NDArray imageToText = logits.logSoftmax(1).mul(eye).sum();
        NDArray textToImage = logits.logSoftmax(0).mul(eye).sum();
        // Arrays, not Numbers, on the gradient path (see SigmoidLoss).
        NDArray scale = manager.create((float) (-0.5 / batch));
        return imageToText.add(textToImage).mul(scale);
    }
}
