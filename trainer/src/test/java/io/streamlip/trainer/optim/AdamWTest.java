package io.streamlip.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {
    @TempDir Path temp;

    private static Parameter parameter(
            NDManager manager, String name, float[] values, Shape shape) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.OTHER)
                        .optArray(manager.create(values, shape))
                        .build();
        p.getArray().setRequiresGradient(true);
        return p;
    }

    /** Loss = Σ c ⊙ w over both parameters, so the gradient is c. */
    private static void backward(
            NDManager manager, Parameter w, float[] cw, Parameter b, float[] cb) {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss =
                    step.create(cw, w.getArray().getShape())
                            .mul(w.getArray())
                            .sum()
                            .add(step.create(cb, b.getArray().getShape()).mul(b.getArray()).sum());
            gc.backward(loss);
        }
    }

    @Test
    void oneStepMatchesTheFormulaWithClippingAndSelectiveDecay() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] w0 = {1f, -2f, 0.5f, 3f};
            float[] b0 = {0.25f};
            Parameter w = parameter(manager, "w", w0, new Shape(2, 2));
            Parameter b = parameter(manager, "b", b0, new Shape(1));
            PairList<String, Parameter> params = new PairList<>();
            params.add("w", w);
            params.add("b", b);
            // lr 0.1 from the first step (warmup 0), decay 0.5, clip the global norm to 1.
            OptimizerConfig config =
                    new OptimizerConfig(0.1, 0.1, 0, 10, 0.9, 0.95, 1e-8, 0.5, 1.0);
            float[] gw = {3f, 0f, -4f, 0f};
            float[] gb = {12f};
            try (AdamW adam = new AdamW(config, params, manager)) {
                backward(manager, w, gw, b, gb);
                AdamW.Update update = adam.step();
                double norm = 13; // sqrt(9 + 16 + 144)
                assertThat(update.gradientNorm()).isCloseTo(norm, within(1e-4));
                assertThat(update.clipped()).isTrue();
                float[] w1 = w.getArray().toFloatArray();
                float[] b1 = b.getArray().toFloatArray();
                for (int i = 0; i < 4; i++) {
                    assertThat(w1[i]).isCloseTo(expected(w0[i], gw[i] / norm, 0.5), within(1e-5f));
                }
                assertThat(b1[0]).isCloseTo(expected(b0[0], gb[0] / norm, 0), within(1e-5f));
            }
        }
    }

    /** First Adam step: m = (1-β1) g, v = (1-β2) g², bias-corrected update = lr g/(|g| + ε'). */
    private static float expected(double w, double g, double decay) {
        double lr = 0.1;
        double m = 0.1 * g;
        double v = 0.05 * g * g;
        double corrected = lr * Math.sqrt(1 - 0.95) / (1 - 0.9);
        double decayed = w - lr * decay * w;
        return (float) (decayed - corrected * m / (Math.sqrt(v) + 1e-8));
    }

    @Test
    void stateSurvivesSaveAndLoadByName() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", new float[] {1f, 2f}, new Shape(1, 2));
            Parameter b = parameter(manager, "b", new float[] {0f}, new Shape(1));
            PairList<String, Parameter> params = new PairList<>();
            params.add("tower_w", w);
            params.add("tower_b", b);
            OptimizerConfig config = OptimizerConfig.defaults().withSchedule(0, 100);
            Path file = temp.resolve("opt.safetensors");
            try (AdamW adam = new AdamW(config, params, manager)) {
                for (int i = 0; i < 3; i++) {
                    backward(manager, w, new float[] {1f, -1f}, b, new float[] {2f});
                    adam.step();
                }
                adam.save(file);
                float[] wBefore = w.getArray().toFloatArray();
                try (AdamW restored = new AdamW(config, params, manager)) {
                    restored.load(file);
                    assertThat(restored.stepCount()).isEqualTo(3);
                    // The same next update from both: identical moments and step.
                    float[] start = wBefore.clone();
                    backward(manager, w, new float[] {0.5f, 0.5f}, b, new float[] {1f});
                    adam.step();
                    float[] viaOriginal = w.getArray().toFloatArray();
                    w.getArray().set(start);
                    backward(manager, w, new float[] {0.5f, 0.5f}, b, new float[] {1f});
                    restored.step();
                    assertThat(w.getArray().toFloatArray()).containsExactly(viaOriginal);
                }
            }
        }
    }

    @Test
    void aNonFiniteGradientIsDroppedWithoutTouchingWeightsOrMoments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", new float[] {1f, 2f}, new Shape(1, 2));
            Parameter b = parameter(manager, "b", new float[] {0.5f}, new Shape(1));
            PairList<String, Parameter> params = new PairList<>();
            params.add("w", w);
            params.add("b", b);
            try (AdamW adam =
                    new AdamW(OptimizerConfig.defaults().withSchedule(0, 10), params, manager)) {
                backward(manager, w, new float[] {Float.NaN, 1f}, b, new float[] {1f});
                AdamW.Update update = adam.step();
                assertThat(update.skipped()).isTrue();
                assertThat(adam.stepCount()).isZero();
                assertThat(w.getArray().toFloatArray()).containsExactly(1f, 2f);
                // The gradients were zeroed: the next, finite step is unaffected by the NaN.
                backward(manager, w, new float[] {1f, 1f}, b, new float[] {1f});
                AdamW.Update next = adam.step();
                assertThat(next.skipped()).isFalse();
                assertThat(next.step()).isEqualTo(1);
                assertThat(w.getArray().toFloatArray()).doesNotContain(Float.NaN);
                assertThat(next.gradientNorm()).isCloseTo(Math.sqrt(3), within(1e-5));
            }
        }
    }

    @Test
    void warmupThenCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-5, 10, 110);
        assertThat(s.at(0)).isZero();
        assertThat(s.at(5)).isCloseTo(5e-4, within(1e-12));
        assertThat(s.at(10)).isCloseTo(1e-3, within(1e-12));
        assertThat(s.at(60)).isCloseTo(1e-5 + (1e-3 - 1e-5) * 0.5, within(1e-12));
        assertThat(s.at(110)).isCloseTo(1e-5, within(1e-12));
        assertThat(s.at(10_000)).isCloseTo(1e-5, within(1e-12));
    }
}
