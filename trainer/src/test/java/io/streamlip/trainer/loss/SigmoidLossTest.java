package io.streamlip.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SigmoidLossTest {

    /** The paper's formula in plain double loops: -(1/B) Σ_i Σ_j log σ(z_ij (t x_i·y_j + b)). */
    static double reference(double[][] x, double[][] y, double t, double b) {
        int n = x.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < x[i].length; k++) {
                    dot += x[i][k] * y[j][k];
                }
                double z = i == j ? 1 : -1;
                double u = z * (t * dot + b);
                sum += Math.log(1 / (1 + Math.exp(-u)));
            }
        }
        return -sum / n;
    }

    @Test
    void equalsTheFormulaInDoublePrecision() {
        Random random = new Random(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int[] caseShape : new int[][] {{2, 3}, {7, 16}, {32, 64}}) {
                int n = caseShape[0];
                int d = caseShape[1];
                double[][] x = unitRows(random, n, d);
                double[][] y = unitRows(random, n, d);
                // Make some pairs similar so positives and negatives both matter.
                for (int i = 0; i < n; i += 2) {
                    y[i] = x[i].clone();
                }
                double t = 1 + 20 * random.nextDouble();
                double b = -12 + 10 * random.nextDouble();
                NDArray xs = manager.create(flat(x), new Shape(n, d));
                NDArray ys = manager.create(flat(y), new Shape(n, d));
                NDArray logits = xs.matMul(ys.transpose()).mul((float) t).add((float) b);
                double expected = reference(x, y, t, b);
                double actual = SigmoidLoss.compute(logits).getFloat();
                assertThat(actual).isCloseTo(expected, within(1e-5 * Math.max(1, expected)));
            }
        }
    }

    @Test
    void sumsOverColumnsAndAveragesOverRows() {
        // All logits 0: every pair costs log 2, each row B of them, mean over rows -> B log 2.
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray zeros = manager.zeros(new Shape(5, 5));
            assertThat(SigmoidLoss.compute(zeros).getFloat())
                    .isCloseTo((float) (5 * Math.log(2)), within(1e-5f));
        }
    }

    @Test
    void refusesNonSquareLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SigmoidLoss.compute(manager.zeros(new Shape(2, 3))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("square");
        }
    }

    static double[][] unitRows(Random random, int n, int d) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                out[i][k] = random.nextGaussian();
                norm += out[i][k] * out[i][k];
            }
            for (int k = 0; k < d; k++) {
                out[i][k] /= Math.sqrt(norm);
            }
        }
        return out;
    }

    static float[] flat(double[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < d; k++) {
                out[i * d + k] = (float) rows[i][k];
            }
        }
        return out;
    }
}
