package io.streamlip.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
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
 * <p>Every pair costs {@code softplus(l_ij)} and each positive pair additionally {@code -l_ii}
 * (since {@code softplus(-l) = softplus(l) - l}, open_clip's form): the positives' term is computed
 * once from the embeddings, and each block is just {@code softplus} of one matrix product, so a
 * block's backward holds about three (B/chunks)² arrays. Chunks differ by at most one row when
 * {@code chunks} does not divide B.
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
        // -log σ(z l) = softplus(-z l), and softplus(-l) = softplus(l) - l: every pair costs
        // softplus(l), and each positive pair additionally -l. The positives' part is computed
        // once from the embeddings (O(B·D)), so no block needs a sign matrix.
        try (NDManager part = x.getManager().newSubManager()) {
            NDArray xs = slice(x, 0, batch, part);
            NDArray ys = slice(y, 0, batch, part);
            NDArray t = logTemperature.exp();
            t.attach(part);
            NDArray size = part.create((float) batch);
            // Σ_i l_ii = t Σ_i x_i·y_i + B b
            NDArray positives = xs.mul(ys).sum().mul(t).add(size.mul(bias));
            NDArray loss = positives.div(size).neg();
            total += loss.getFloat();
            if (collector != null) {
                collector.backward(loss);
            }
        }
        for (int i = 0; i < chunks; i++) {
            for (int j = 0; j < chunks; j++) {
                try (NDManager block = x.getManager().newSubManager()) {
                    NDArray xi = slice(x, bounds[i], bounds[i + 1], block);
                    NDArray yj = slice(y, bounds[j], bounds[j + 1], block);
                    total += blockLoss(collector, xi, yj, logTemperature, bias, batch, block);
                }
            }
        }
        return (float) total;
    }

    /**
     * (1/B) Σ softplus(t x_i·y_j + b) over one block, backpropagated. The bias rides in the matrix
     * product ([t x, 1]·[y, b]) so that the block's logits are one array, not three.
     */
    private static float blockLoss(
            GradientCollector collector,
            NDArray xi,
            NDArray yj,
            NDArray logTemperature,
            NDArray bias,
            long batch,
            NDManager block) {
        NDArray t = logTemperature.exp(); // per block: a node shared across backwards would fail
        t.attach(block);
        long rows = xi.getShape().get(0);
        long columns = yj.getShape().get(0);
        NDArray scaled = xi.mul(t).concat(block.ones(new Shape(rows, 1)), 1);
        NDArray shifted = yj.concat(block.ones(new Shape(columns, 1)).mul(bias), 1);
        NDArray logits = scaled.matMul(shifted.transpose());
        NDArray costs = Activation.softPlus(logits);
        NDArray loss = costs.sum().div(block.create((float) batch));
        // The sum's backward needs no input, so the block of costs can go before the backward:
        // only the logits (kept by softplus for its backward) and their gradient remain.
        costs.close();
        float value = loss.getFloat();
        if (collector != null) {
            collector.backward(loss);
        }
        return value;
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
