package io.streamlip.trainer.limoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The auxiliary losses against the paper's formulas written in plain double arithmetic. */
class EntropyLossesTest {
    private static final int TOKENS = 12;
    private static final int EXPERTS = 5;

    @Test
    void localAndGlobalEntropyLossesMatchTheFormula() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            float[] logits = new float[TOKENS * EXPERTS];
            float scale = trial < 10 ? 0.5f : 4f; // flat and peaked routers
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) random.nextGaussian() * scale;
            }
            boolean[] valid = new boolean[TOKENS];
            for (int i = 0; i < TOKENS; i++) {
                valid[i] = i == 0 || random.nextDouble() < 0.7;
            }
            int start = 3;
            int end = 11;
            boolean[] segment = java.util.Arrays.copyOfRange(valid, start, end);
            double tau = trial % 2 == 0 ? Math.log(EXPERTS) : 0.5; // active / mostly inactive
            MoeConfig config =
                    MoeConfig.builder()
                            .experts(EXPERTS)
                            .moeLayers(java.util.List.of(0))
                            .localLossWeight(0.3)
                            .globalLossWeight(0.7)
                            .globalEntropyThreshold(tau)
                            .build();

            double[] expected = reference(logits, segment, start, end, tau);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray raw = m.create(logits, new Shape(TOKENS, EXPERTS));
                NDArray logProbs = raw.logSoftmax(1);
                NDArray probs = logProbs.exp();
                NDArray[] parts = EntropyLosses.parts(probs, logProbs, start, end, segment, tau);
                assertThat(parts[0].getFloat()).isCloseTo((float) expected[0], within(1e-5f));
                assertThat(parts[1].getFloat()).isCloseTo((float) expected[1], within(1e-5f));
                float weighted =
                        EntropyLosses.weighted(probs, logProbs, start, end, segment, config)
                                .getFloat();
                assertThat(weighted)
                        .isCloseTo((float) (0.3 * expected[0] + 0.7 * expected[1]), within(1e-5f));
            }
        }
    }

    @Test
    void theGlobalLossIsOffAboveTheThresholdAndBothVanishWithoutTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Uniform routing: every token's entropy and the mean's are log E.
            NDArray probs = m.full(new Shape(4, EXPERTS), 1f / EXPERTS);
            NDArray logProbs = probs.log();
            boolean[] all = {true, true, true, true};
            NDArray[] parts = EntropyLosses.parts(probs, logProbs, 0, 4, all, 1.0);
            assertThat(parts[0].getFloat()).isCloseTo((float) Math.log(EXPERTS), within(1e-6f));
            assertThat(parts[1].getFloat()).isEqualTo(0f);
            boolean[] none = {false, false, false, false};
            NDArray[] empty = EntropyLosses.parts(probs, logProbs, 0, 4, none, 1.0);
            assertThat(empty[0].getFloat()).isEqualTo(0f);
            assertThat(empty[1].getFloat()).isEqualTo(0f);
        }
    }

    /** {local, global} in double: H over each token's softmax, and relu(τ − H(mean)). */
    private static double[] reference(
            float[] logits, boolean[] valid, int start, int end, double tau) {
        double local = 0;
        double[] mean = new double[EXPERTS];
        int n = 0;
        for (int t = start; t < end; t++) {
            if (!valid[t - start]) {
                continue;
            }
            n++;
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < EXPERTS; e++) {
                max = Math.max(max, logits[t * EXPERTS + e]);
            }
            double z = 0;
            for (int e = 0; e < EXPERTS; e++) {
                z += Math.exp(logits[t * EXPERTS + e] - max);
            }
            for (int e = 0; e < EXPERTS; e++) {
                double p = Math.exp(logits[t * EXPERTS + e] - max) / z;
                local -= p * Math.log(p);
                mean[e] += p;
            }
        }
        double h = 0;
        for (int e = 0; e < EXPERTS; e++) {
            double p = mean[e] / n;
            h -= p * Math.log(p);
        }
        return new double[] {local / n, Math.max(0, tau - h)};
    }
}
