package io.streamlip.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

/**
 * SigLIP's pairwise sigmoid loss (Zhai et al. 2023, eq. 2, with the code's sign convention):
 *
 * <pre>L = -(1/|B|) Σ_i Σ_j log σ(z_ij (t x_i·y_j + b)),  z = 2I - 1</pre>
 *
 * summed over the |B| texts of each image and averaged over the |B| images (dividing by |B|², as
 * some ports do, shrinks the loss and its gradients |B|-fold). Computed as {@code softplus(-z ⊙
 * logits).sum() / B}, since {@code -log σ(u) = softplus(-u)} is stable for any u.
 */
public final class SigmoidLoss {
    private SigmoidLoss() {}

    /**
     * The loss of unit-length embeddings x (B, D) and y (B, D) with log-temperature {@code t'} and
     * bias {@code b} (both shape (1)): {@link #compute(NDArray)} of {@link #logits}. The result is
     * a scalar in {@code x}'s manager.
     */
    public static NDArray compute(NDArray x, NDArray y, NDArray logTemperature, NDArray bias) {
        return compute(logits(x, y, logTemperature, bias));
    }

    /**
     * The logits {@code exp(t') x y^T + b}, (B_x, B_y), in {@code x}'s manager. {@code exp(t')} is
     * computed here, once per call: a step that backpropagates several times (the chunked loss)
     * must not share that node between backward passes.
     */
    public static NDArray logits(NDArray x, NDArray y, NDArray logTemperature, NDArray bias) {
        NDArray t = logTemperature.exp();
        // exp() of a parameter lands in the parameter's manager: move it to x's, or one array
        // would leak per call into the model's manager.
        t.attach(x.getManager());
        return x.matMul(y.transpose()).mul(t).add(bias);
    }

    /**
     * The loss of a (B, B) logit matrix whose diagonal holds the matching pairs. The result is a
     * scalar in {@code logits}' manager.
     */
    public static NDArray compute(NDArray logits) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 2 || shape[0] != shape[1]) {
            throw new IllegalArgumentException(
                    "logits must be a square (B, B) matrix, got " + logits.getShape());
        }
        int batch = (int) shape[0];
        NDManager manager = logits.getManager();
        // -z = 1 - 2I: negatives keep their logit, positives flip it.
        NDArray minusZ = manager.eye(batch).mul(-2f).add(1f);
        // Divide by an array that lives in the step's manager, not by a Number: DJL frees the
        // temporary scalar of div(Number) while autograd still needs it for backward.
        NDArray size = manager.create((float) batch);
        return Activation.softPlus(logits.mul(minusZ)).sum().div(size);
    }
}
