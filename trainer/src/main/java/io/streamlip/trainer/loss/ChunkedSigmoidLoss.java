package io.streamlip.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;

/**
 * The sigmoid loss of {@link SigmoidLoss} computed block by block, so that only one {@code
 * (B/chunks)²} block of the logit matrix exists at any time (SigLIP §3.3, on one device):
 *
 * <pre>L = Σ_{I} Σ_{J} L_IJ,   L_IJ = (1/|B|) Σ_{i∈I} Σ_{j∈J} softplus(-z_ij (t x_i·y_j + b))</pre>
 *
 * over the chunks I of the images and J of the texts. Each block is computed and backpropagated on
 * its own into <em>detached</em> embeddings (leaves that require a gradient) and into {@code t'}
 * and {@code b}, then freed. Autograd would otherwise keep every block's logits alive until one
 * final backward (open_clip PR #1214), which is no saving at all. The caller then finishes with one
 * backward through the towers, using the leaves' accumulated gradients as the vector-Jacobian
 * product ({@link LossStep} does both phases).
 *
 * <p>Off-diagonal blocks hold only negatives ({@code z = -1}); the diagonal ones hold the positives
 * on their own diagonal. Chunks differ by at most one row when {@code chunks} does not divide B.
 */
public final class ChunkedSigmoidLoss {
    private ChunkedSigmoidLoss() {}

    /**
     * Computes the loss block by block and backpropagates every block at once into {@code x},
     * {@code y} (which must require a gradient, or be constants), {@code t'} and {@code b}; their
     * gradients accumulate. Block arrays live in sub-managers of {@code x}'s manager, closed after
     * each block.
     *
     * @return the loss (a float on the host: it never exists as one array)
     */
    public static float backward(
            GradientCollector collector,
            NDArray x,
            NDArray y,
            NDArray logTemperature,
            NDArray bias,
            int chunks) {
        return run(collector, x, y, logTemperature, bias, chunks);
    }

    /** The loss alone, block by block, without gradients (evaluation). */
    public static float value(
            NDArray x, NDArray y, NDArray logTemperature, NDArray bias, int chunks) {
        return run(null, x, y, logTemperature, bias, chunks);
    }

    private static float run(
            GradientCollector collector,
            NDArray x,
            NDArray y,
            NDArray logTemperature,
            NDArray bias,
            int chunks) {
        long batch = x.getShape().get(0);
        if (y.getShape().get(0) != batch) {
            throw new IllegalArgumentException(
                    "x and y must hold the same number of rows, got "
                            + x.getShape()
                            + " and "
                            + y.getShape());
        }
        if (chunks < 1 || chunks > batch) {
            throw new IllegalArgumentException(
                    "chunks must lie in [1, B=" + batch + "], got " + chunks);
        }
        long[] bounds = bounds(batch, chunks);
        double total = 0;
        for (int i = 0; i < chunks; i++) {
            for (int j = 0; j < chunks; j++) {
                try (NDManager block = x.getManager().newSubManager()) {
                    NDArray xi = slice(x, bounds[i], bounds[i + 1], block);
                    NDArray yj = slice(y, bounds[j], bounds[j + 1], block);
                    NDArray logits = SigmoidLoss.logits(xi, yj, logTemperature, bias);
                    // -z: 1 for negatives, -1 on the diagonal of a diagonal block.
                    NDArray minusZ =
                            i == j
                                    ? block.eye((int) (bounds[i + 1] - bounds[i])).mul(-2f).add(1f)
                                    : null;
                    NDArray signed = minusZ == null ? logits : logits.mul(minusZ);
                    NDArray size = block.create((float) batch);
                    NDArray loss = Activation.softPlus(signed).sum().div(size);
                    total += loss.getFloat();
                    if (collector != null) {
                        collector.backward(loss);
                    }
                }
            }
        }
        return (float) total;
    }

    /** Start rows of the chunks, plus B at the end; sizes differ by at most one. */
    static long[] bounds(long batch, int chunks) {
        long[] out = new long[chunks + 1];
        for (int c = 0; c <= chunks; c++) {
            out[c] = batch * c / chunks;
        }
        return out;
    }

    private static NDArray slice(NDArray a, long from, long to, NDManager block) {
        NDArray part = a.get(new NDIndex("{}:{}", from, to));
        part.attach(block); // a view: closing it frees no data of a, only the handle
        return part;
    }
}
