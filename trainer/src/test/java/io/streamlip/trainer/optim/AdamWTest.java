package io.streamlip.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
            PairList<String, Parameter> params = named(w, b);
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
            OptimizerConfig config =
                    OptimizerConfig.builder().warmupSteps(0).scheduleSteps(100).build();
            Path file = temp.resolve("opt.safetensors");
            try (AdamW adam = new AdamW(config, params, manager)) {
                for (int i = 0; i < 3; i++) {
                    backward(manager, w, new float[] {1f, -1f}, b, new float[] {2f});
                    adam.step();
                }
                adam.save(file);
                // A second model with the same weights (as a restored checkpoint has them) and
                // its own optimizer loaded from the file.
                Parameter w2 =
                        parameter(manager, "w", w.getArray().toFloatArray(), new Shape(1, 2));
                Parameter b2 = parameter(manager, "b", b.getArray().toFloatArray(), new Shape(1));
                PairList<String, Parameter> params2 = new PairList<>();
                params2.add("tower_w", w2);
                params2.add("tower_b", b2);
                try (AdamW restored = new AdamW(config, params2, manager)) {
                    restored.load(file);
                    assertThat(restored.stepCount()).isEqualTo(3);
                    // The same next update from both: identical moments and step.
                    backward(manager, w, new float[] {0.5f, 0.5f}, b, new float[] {1f});
                    adam.step();
                    backward(manager, w2, new float[] {0.5f, 0.5f}, b2, new float[] {1f});
                    restored.step();
                    assertThat(w2.getArray().toFloatArray())
                            .containsExactly(w.getArray().toFloatArray());
                    assertThat(b2.getArray().toFloatArray())
                            .containsExactly(b.getArray().toFloatArray());
                }
            }
        }
    }

    @Test
    void parametersBecomeViewsOfOneFlatBufferWithTheirValuesAndGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Model order b, w, c: the flat buffer puts the decayed w first.
            Parameter b = parameter(manager, "b", new float[] {0.5f, -0.5f}, new Shape(2));
            Parameter w = parameter(manager, "w", new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
            Parameter c = parameter(manager, "c", new float[] {7f}, new Shape(1));
            NDArray originalW = w.getArray();
            PairList<String, Parameter> params = named(b, w, c);
            OptimizerConfig config = new OptimizerConfig(0.1, 0.1, 0, 10, 0.9, 0.95, 1e-8, 0.5, 0);
            try (AdamW adam = new AdamW(config, params, manager)) {
                assertThat(w.getArray()).isNotSameAs(originalW);
                assertThat(w.getArray().getShape()).isEqualTo(new Shape(2, 2));
                assertThat(w.getArray().toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
                assertThat(b.getArray().toFloatArray()).containsExactly(0.5f, -0.5f);
                assertThat(c.getArray().toFloatArray()).containsExactly(7f);
                assertThat(w.getArray().hasGradient()).isTrue();
                // Gradients reach the views, and the flat update is seen through them.
                backward(manager, w, new float[] {1f, 1f, 1f, 1f}, b, new float[] {1f, -1f});
                AdamW.Update update = adam.step();
                assertThat(update.gradientNorm()).isCloseTo(Math.sqrt(6), within(1e-5));
                // First step: every element moves by lr · g/|g| = ±0.1 (ε aside), w also decays.
                float[] w1 = w.getArray().toFloatArray();
                for (int i = 0; i < 4; i++) {
                    assertThat(w1[i]).isCloseTo((i + 1) * 0.95f - 0.1f, within(1e-5f));
                }
                assertThat(b.getArray().toFloatArray()).containsExactly(0.4f, -0.4f);
                // c had no gradient (zero): no move, no decay for a vector.
                assertThat(c.getArray().toFloatArray()).containsExactly(7f);
                // Gradients were zeroed for the next backward pass.
                assertThat(w.getArray().getGradient().toFloatArray()).containsOnly(0f);
            }
        }
    }

    @Test
    void aReplacedArrayIsRefusedUntilAdoptedThenTrainedFromItsValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", new float[] {1f, 2f}, new Shape(1, 2));
            Parameter b = parameter(manager, "b", new float[] {0f}, new Shape(1));
            PairList<String, Parameter> params = named(w, b);
            OptimizerConfig config = new OptimizerConfig(0.1, 0.1, 0, 10, 0.9, 0.95, 1e-8, 0, 0);
            try (AdamW adam = new AdamW(config, params, manager)) {
                // As Parameter.load does: a new array in place of the view.
                NDArray loaded = manager.create(new float[] {10f, 20f}, new Shape(1, 2));
                try {
                    java.lang.reflect.Field f = Parameter.class.getDeclaredField("array");
                    f.setAccessible(true);
                    f.set(w, loaded);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
                loaded.setRequiresGradient(true);
                backward(manager, w, new float[] {1f, 1f}, b, new float[] {1f});
                assertThatThrownBy(adam::step)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("adoptParameters");
                adam.adoptParameters();
                assertThat(w.getArray()).isNotSameAs(loaded);
                assertThat(w.getArray().toFloatArray()).containsExactly(10f, 20f);
                backward(manager, w, new float[] {1f, -1f}, b, new float[] {1f});
                adam.step();
                float[] w1 = w.getArray().toFloatArray();
                assertThat(w1[0]).isCloseTo(9.9f, within(1e-5f));
                assertThat(w1[1]).isCloseTo(20.1f, within(1e-5f));
            }
        }
    }

    @Test
    void takingOverParametersWithGradModeOnKeepsTheViewsLeaves() {
        // A new thread starts with PyTorch's grad mode on (the trainer runs in one); an open
        // collector does the same here.
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", new float[] {1f, 2f}, new Shape(1, 2));
            Parameter b = parameter(manager, "b", new float[] {0f}, new Shape(1));
            PairList<String, Parameter> params = named(w, b);
            AdamW adam;
            try (GradientCollector on = Engine.getInstance().newGradientCollector()) {
                adam =
                        new AdamW(
                                OptimizerConfig.builder().warmupSteps(0).scheduleSteps(10).build(),
                                params,
                                manager);
            }
            try (adam) {
                for (int i = 0; i < 2; i++) {
                    backward(manager, w, new float[] {3f, 4f}, b, new float[] {0f});
                    assertThat(adam.step().gradientNorm()).isCloseTo(5, within(1e-5));
                }
            }
        }
    }

    @Test
    void copyIntoWritesThroughAView() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray flat = manager.zeros(new Shape(6));
            NDArray view = flat.get("2:6").reshape(2, 2);
            AdamW.copyInto(view, manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2)));
            assertThat(flat.toFloatArray()).containsExactly(0f, 0f, 1f, 2f, 3f, 4f);
            assertThatThrownBy(() -> AdamW.copyInto(view, manager.zeros(new Shape(4))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aNonFiniteGradientIsDroppedWithoutTouchingWeightsOrMoments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", new float[] {1f, 2f}, new Shape(1, 2));
            Parameter b = parameter(manager, "b", new float[] {0.5f}, new Shape(1));
            PairList<String, Parameter> params = named(w, b);
            try (AdamW adam =
                    new AdamW(
                            OptimizerConfig.builder().warmupSteps(0).scheduleSteps(10).build(),
                            params,
                            manager)) {
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

    /** The parameters keyed by their names, in this order, as Block.getParameters() gives them. */
    private static PairList<String, Parameter> named(Parameter... parameters) {
        PairList<String, Parameter> out = new PairList<>();
        for (Parameter p : parameters) {
            out.add(p.getName(), p);
        }
        return out;
    }
}
