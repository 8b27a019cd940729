package io.streamlip.trainer.limoe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Assigns tokens to experts from their routing probabilities: each valid token's {@code k} most
 * probable experts (ties to the lower index), each expert taking at most {@code capacity}
 * assignments. With Batch Priority Routing (V-MoE) the tokens whose largest probability is greatest
 * claim their slots first, all first choices before any second choice; without it, token order
 * decides. An assignment that finds its expert full is dropped: a token dropped for all its choices
 * passes the layer through the residual only. Invalid tokens (padding) are never routed.
 *
 * <p>Plain Java over a copy of the probabilities: the decisions are discrete and carry no gradient;
 * the gates that do are read from the probability tensor at the chosen places ({@link MoeMlp}).
 */
public final class BatchPriorityRouter {
    private BatchPriorityRouter() {}

    /**
     * Where each token went.
     *
     * @param expert {@code expert[j][n]}: the expert token n's j-th choice was dispatched to, or -1
     *     when it was dropped (or the token is not routed)
     * @param choice {@code choice[j][n]}: token n's j-th most probable expert (-1 when not routed)
     * @param slot {@code slot[j][n]}: its position in that expert's buffer, -1 when not dispatched
     * @param load assignments kept per expert
     * @param capacity slots per expert
     * @param routed assignments asked for (valid tokens times k)
     * @param dropped assignments refused for lack of capacity
     */
    public record Assignment(
            int[][] expert,
            int[][] choice,
            int[][] slot,
            int[] load,
            int capacity,
            int routed,
            int dropped) {

        /** For each expert, its tokens in slot order, each once per choice that reached it. */
        public List<int[]> tokensByExpert() {
            int experts = load.length;
            int[][] out = new int[experts][];
            for (int e = 0; e < experts; e++) {
                out[e] = new int[load[e]];
            }
            for (int j = 0; j < expert.length; j++) {
                for (int n = 0; n < expert[j].length; n++) {
                    int e = expert[j][n];
                    if (e >= 0) {
                        out[e][slot[j][n]] = n;
                    }
                }
            }
            return Arrays.asList(out);
        }
    }

    /**
     * Routes {@code tokens} tokens over {@code experts} experts.
     *
     * @param probs row-major (tokens, experts) routing probabilities
     * @param valid which tokens are routed (null: all)
     * @param k choices per token
     * @param capacity slots per expert
     * @param batchPriority whether the most confident tokens go first
     */
    public static Assignment route(
            float[] probs,
            int tokens,
            int experts,
            boolean[] valid,
            int k,
            int capacity,
            boolean batchPriority) {
        if (probs.length != (long) tokens * experts) {
            throw new IllegalArgumentException(
                    "probs has " + probs.length + " values, not " + tokens + " x " + experts);
        }
        int[][] choice = new int[k][tokens];
        int[][] expert = new int[k][tokens];
        int[][] slot = new int[k][tokens];
        for (int j = 0; j < k; j++) {
            Arrays.fill(choice[j], -1);
            Arrays.fill(expert[j], -1);
            Arrays.fill(slot[j], -1);
        }
        List<Integer> order = new ArrayList<>(tokens);
        float[] priority = new float[tokens];
        for (int n = 0; n < tokens; n++) {
            if (valid != null && !valid[n]) {
                continue;
            }
            order.add(n);
            int[] top = topK(probs, n * experts, experts, k);
            for (int j = 0; j < k; j++) {
                choice[j][n] = top[j];
            }
            priority[n] = probs[n * experts + top[0]];
        }
        if (batchPriority) {
            // Stable: equal priorities keep token order.
            order.sort(Comparator.comparingDouble((Integer n) -> -priority[n]));
        }
        int[] load = new int[experts];
        int dropped = 0;
        for (int j = 0; j < k; j++) {
            for (int n : order) {
                int e = choice[j][n];
                if (load[e] < capacity) {
                    expert[j][n] = e;
                    slot[j][n] = load[e]++;
                } else {
                    dropped++;
                }
            }
        }
        return new Assignment(expert, choice, slot, load, capacity, order.size() * k, dropped);
    }

    /** The {@code k} largest of {@code values[from .. from+count)}, largest first, ties low. */
    private static int[] topK(float[] values, int from, int count, int k) {
        int[] top = new int[k];
        boolean[] taken = new boolean[count];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int e = 0; e < count; e++) {
                if (!taken[e] && (best < 0 || values[from + e] > values[from + best])) {
                    best = e;
                }
            }
            taken[best] = true;
            top[j] = best;
        }
        return top;
    }
}
