package io.streamlip.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxLossTest {

    /** CLIP's loss in double loops: -(1/2B) Σ_i (log softmax_row_i[i] + log softmax_col_i[i]). */
    static double reference(double[][] x, double[][] y, double t) {
        int n = x.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < x[i].length; k++) {
                    l[i][j] += t * x[i][k] * y[j][k];
                }
            }
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            double col = 0;
            for (int j = 0; j < n; j++) {
                row += Math.exp(l[i][j]);
                col += Math.exp(l[j][i]);
            }
            sum += (l[i][i] - Math.log(row)) + (l[i][i] - Math.log(col));
        }
        return -sum / (2 * n);
    }

    @Test
    void equalsTheFormulaAndLeavesTheBiasAlone() {
        Random random = new Random(5);
        for (int n : new int[] {2, 9, 32}) {
            double[][] x = SigmoidLossTest.unitRows(random, n, 16);
            double[][] y = SigmoidLossTest.unitRows(random, n, 16);
            for (int i = 0; i < n; i += 2) {
                y[i] = x[i].clone();
            }
            double t = 1 + 20 * random.nextDouble();
            try (NDManager m = NDManager.newBaseManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray xs = m.create(SigmoidLossTest.flat(x), new Shape(n, 16));
                NDArray ys = m.create(SigmoidLossTest.flat(y), new Shape(n, 16));
                NDArray logT = m.create(new float[] {(float) Math.log(t)});
                NDArray bias = m.create(new float[] {-10f});
                logT.setRequiresGradient(true);
                bias.setRequiresGradient(true);
                NDArray loss = SoftmaxLoss.compute(xs, ys, logT, bias);
                gc.backward(loss);
                double expected = reference(x, y, t);
                assertThat(Math.abs(loss.getFloat() - expected))
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(expected)));
                assertThat(bias.getGradient().getFloat()).isZero();
                assertThat(logT.getGradient().getFloat()).isNotZero();
            }
        }
    }
}
