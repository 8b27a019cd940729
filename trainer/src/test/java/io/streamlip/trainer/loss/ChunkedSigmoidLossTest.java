package io.streamlip.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole and the chunked sigmoid loss against each other and against the paper's formula and its
 * analytic gradients in double precision, on random embeddings.
 */
class ChunkedSigmoidLossTest {
    /** Largest difference allowed, relative to the largest magnitude of the reference tensor. */
    private static final double RELATIVE = 1e-5;

    /** Loss and gradients of x, y, t' and b, from {@link #reference}. */
    record Result(double loss, double[][] dx, double[][] dy, double dLogT, double dBias) {}

    /**
     * L = (1/B) Σ_ij softplus(-z_ij l_ij), l_ij = t x_i·y_j + b, t = exp(t'); with g_ij = ∂L/∂l_ij
     * = -(z_ij/B) σ(-z_ij l_ij): ∂L/∂x_i = t Σ_j g_ij y_j, ∂L/∂y_j = t Σ_i g_ij x_i, ∂L/∂t' = t Σ
     * g_ij x_i·y_j, ∂L/∂b = Σ g_ij.
     */
    static Result reference(double[][] x, double[][] y, double logT, double b) {
        int n = x.length;
        int d = x[0].length;
        double t = Math.exp(logT);
        double loss = 0;
        double dLogT = 0;
        double dBias = 0;
        double[][] dx = new double[n][d];
        double[][] dy = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += x[i][k] * y[j][k];
                }
                double z = i == j ? 1 : -1;
                double u = z * (t * dot + b);
                loss += Math.log1p(Math.exp(-u)) / n; // -log σ(u)
                double g = -z / n / (1 + Math.exp(u)); // ∂/∂l of softplus(-z l)/n
                dBias += g;
                dLogT += g * t * dot;
                for (int k = 0; k < d; k++) {
                    dx[i][k] += g * t * y[j][k];
                    dy[j][k] += g * t * x[i][k];
                }
            }
        }
        return new Result(loss, dx, dy, dLogT, dBias);
    }

    @Test
    void chunkedEqualsWholeAndBothEqualTheDoublePrecisionFormula() {
        Random random = new Random(11);
        // {B, D, chunks}: even and uneven splits, one chunk per row.
        int[][] cases = {{16, 32, 4}, {10, 8, 3}, {33, 64, 8}, {6, 5, 6}, {9, 16, 1}};
        for (int[] c : cases) {
            int n = c[0];
            int d = c[1];
            int chunks = c[2];
            double[][] x = SigmoidLossTest.unitRows(random, n, d);
            double[][] y = SigmoidLossTest.unitRows(random, n, d);
            for (int i = 0; i < n; i += 3) { // some aligned pairs: positives that matter
                y[i] = x[i].clone();
            }
            double logT = Math.log(2 + 15 * random.nextDouble());
            double b = -12 + 10 * random.nextDouble();
            Result expected = reference(x, y, logT, b);
            Result whole = run(x, y, logT, b, 0);
            Result chunked = run(x, y, logT, b, chunks);
            String label = "B=" + n + " D=" + d + " chunks=" + chunks;
            assertClose(label + " whole vs formula", whole, expected);
            assertClose(label + " chunked vs formula", chunked, expected);
            assertClose(label + " chunked vs whole", chunked, whole);
        }
    }

    @Test
    void theLossIsSummedOverColumnsAndAveragedOverRowsInEveryChunking() {
        // All embeddings orthogonal to each other, t arbitrary, b = 0: every logit is 0 and
        // every pair costs log 2, so L = B log 2 whatever the chunking (a mean over all pairs
        // would give log 2).
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray zeros = m.zeros(new Shape(8, 4));
            NDArray logT = m.create(new float[] {1f});
            NDArray b = m.create(new float[] {0f});
            for (int chunks : new int[] {1, 2, 3, 8}) {
                assertThat(ChunkedSigmoidLoss.value(zeros, zeros, logT, b, chunks))
                        .isCloseTo(
                                (float) (8 * Math.log(2)),
                                org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    @Test
    void refusesMoreChunksThanRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(4, 2));
            NDArray s = m.create(new float[] {0f});
            assertThatThrownBy(() -> ChunkedSigmoidLoss.value(x, x, s, s, 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("chunks");
        }
    }

    /** Loss and gradients computed by DJL: whole when {@code chunks} is 0, else chunked. */
    static Result run(double[][] x, double[][] y, double logT, double b, int chunks) {
        int n = x.length;
        int d = x[0].length;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xs = m.create(SigmoidLossTest.flat(x), new Shape(n, d));
            NDArray ys = m.create(SigmoidLossTest.flat(y), new Shape(n, d));
            NDArray t = m.create(new float[] {(float) logT});
            NDArray bias = m.create(new float[] {(float) b});
            for (NDArray a : new NDArray[] {xs, ys, t, bias}) {
                a.setRequiresGradient(true);
            }
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                if (chunks == 0) {
                    NDArray l = SigmoidLoss.compute(xs, ys, t, bias);
                    gc.backward(l);
                    loss = l.getFloat();
                } else {
                    loss = ChunkedSigmoidLoss.backward(gc, xs, ys, t, bias, chunks);
                }
            }
            return new Result(
                    loss,
                    rows(xs.getGradient().toFloatArray(), n, d),
                    rows(ys.getGradient().toFloatArray(), n, d),
                    t.getGradient().getFloat(),
                    bias.getGradient().getFloat());
        }
    }

    static void assertClose(String label, Result actual, Result expected) {
        assertThat(Math.abs(actual.loss() - expected.loss()))
                .as(label + ": loss %s vs %s", actual.loss(), expected.loss())
                .isLessThanOrEqualTo(RELATIVE * Math.abs(expected.loss()));
        assertThat(maxDiff(actual.dx(), expected.dx()))
                .as(label + ": dL/dx")
                .isLessThanOrEqualTo(RELATIVE * maxAbs(expected.dx()));
        assertThat(maxDiff(actual.dy(), expected.dy()))
                .as(label + ": dL/dy")
                .isLessThanOrEqualTo(RELATIVE * maxAbs(expected.dy()));
        assertThat(Math.abs(actual.dLogT() - expected.dLogT()))
                .as(label + ": dL/dt' %s vs %s", actual.dLogT(), expected.dLogT())
                .isLessThanOrEqualTo(RELATIVE * Math.abs(expected.dLogT()));
        assertThat(Math.abs(actual.dBias() - expected.dBias()))
                .as(label + ": dL/db %s vs %s", actual.dBias(), expected.dBias())
                .isLessThanOrEqualTo(RELATIVE * Math.abs(expected.dBias()));
    }

    static double[][] rows(float[] flat, int n, int d) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                out[i][k] = flat[i * d + k];
            }
        }
        return out;
    }

    private static double maxDiff(double[][] a, double[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < a[i].length; k++) {
                max = Math.max(max, Math.abs(a[i][k] - b[i][k]));
            }
        }
        return max;
    }

    private static double maxAbs(double[][] a) {
        double max = 0;
        for (double[] row : a) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
