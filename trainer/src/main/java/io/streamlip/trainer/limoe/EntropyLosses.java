package io.streamlip.trainer.limoe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * LIMoE's auxiliary losses over one modality's tokens (seeds.md §5), with {@code p_i} the routing
 * distribution of valid token i and n the number of valid tokens:
 *
 * <ul>
 *   <li>local: {@code (1/n) Σ_i H(p_i)}, minimised: each token commits to few experts;
 *   <li>global: {@code max(0, τ − H((1/n) Σ_i p_i))}, minimised: the modality's tokens spread over
 *       experts, only while that entropy is below τ.
 * </ul>
 *
 * {@code H(p) = −Σ_e p_e log p_e} in nats. The weighted sum of the two is what a sparse block adds
 * to the training loss for each modality.
 */
public final class EntropyLosses {
    private static final float LOG_EPS = 1e-9f;

    private EntropyLosses() {}

    /**
     * {@code localWeight · local + globalWeight · global} over rows {@code [start, end)} of the
     * probabilities (N, E) and their logarithms, counting the rows where {@code valid} (relative to
     * {@code start}) holds; zero when none does.
     */
    public static NDArray weighted(
            NDArray probs,
            NDArray logProbs,
            int start,
            int end,
            boolean[] valid,
            MoeConfig config) {
        NDArray[] parts =
                parts(probs, logProbs, start, end, valid, config.globalEntropyThreshold());
        NDManager m = probs.getManager();
        return parts[0].mul(m.create((float) config.localLossWeight()))
                .add(parts[1].mul(m.create((float) config.globalLossWeight())));
    }

    /** The unweighted {local, global} losses (scalars), as {@link #weighted} sums them. */
    public static NDArray[] parts(
            NDArray probs,
            NDArray logProbs,
            int start,
            int end,
            boolean[] valid,
            double threshold) {
        NDManager m = probs.getManager();
        int count = 0;
        float[] validRows = new float[end - start];
        for (int i = 0; i < validRows.length; i++) {
            validRows[i] = valid[i] ? 1f : 0f;
            count += valid[i] ? 1 : 0;
        }
        if (count == 0) {
            return new NDArray[] {m.zeros(new Shape()), m.zeros(new Shape())};
        }
        NDIndex rows = new NDIndex(start + ":" + end);
        NDArray p = probs.get(rows);
        NDArray logP = logProbs.get(rows);
        NDArray validColumn = m.create(validRows, new Shape(validRows.length, 1));
        NDArray inverseCount = m.create(1f / count);
        NDArray local = p.mul(logP).mul(validColumn).sum().neg().mul(inverseCount);
        NDArray mean = p.mul(validColumn).sum(new int[] {0}).mul(inverseCount);
        NDArray meanEntropy = mean.mul(mean.add(m.create(LOG_EPS)).log()).sum().neg();
        NDArray global = Activation.relu(m.create((float) threshold).sub(meanEntropy));
        return new NDArray[] {local, global};
    }
}
