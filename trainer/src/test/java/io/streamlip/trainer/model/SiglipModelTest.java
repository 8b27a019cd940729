package io.streamlip.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.loss.SigmoidLoss;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiglipModelTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    private static List<TrainingBatch> batches(ModelConfig config, int batch, int count) {
        return SyntheticExamples.batches(
                SyntheticExamples.generate(batch * count, 21, config.imageSize(), TOKENIZER),
                batch,
                config,
                TOKENIZER.eosId());
    }

    @Test
    void temperatureAndBiasGetTheAnalyticGradients() {
        ModelConfig config = ModelConfig.tiny(TOKENIZER.vocabSize());
        TrainingBatch batch = batches(config, 6, 1).get(0);
        int n = batch.size();
        try (TrainingSession session =
                TrainingSession.create(config, OptimizerConfig.defaults(), 9)) {
            SiglipModel model = session.model();
            assertThat(session.temperature()).isCloseTo(10f, within(1e-5f));
            assertThat(session.bias()).isEqualTo(-10f);
            ParameterStore ps = new ParameterStore(session.manager(), false);
            try (NDManager m = session.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = embeddingsAndLogits(model, ps, inputs(m, batch, config));
                gc.backward(SigmoidLoss.compute(out.get(2)));
                float[] x = out.get(0).toFloatArray();
                float[] y = out.get(1).toFloatArray();
                float[] logits = out.get(2).toFloatArray();
                int d = config.embedDim();
                double t = session.temperature();
                double dBias = 0;
                double dLogTemperature = 0;
                for (int i = 0; i < n; i++) {
                    assertThat(norm(x, i, d)).isCloseTo(1, within(1e-5));
                    assertThat(norm(y, i, d)).isCloseTo(1, within(1e-5));
                    for (int j = 0; j < n; j++) {
                        double z = i == j ? 1 : -1;
                        double l = logits[i * n + j];
                        // d/dl softplus(-z l) / n = -z σ(-z l) / n
                        double g = -z / (1 + Math.exp(z * l)) / n;
                        double dot = 0;
                        for (int k = 0; k < d; k++) {
                            dot += x[i * d + k] * y[j * d + k];
                        }
                        assertThat(l).isCloseTo(t * dot - 10, within(1e-4));
                        dBias += g;
                        dLogTemperature += g * t * dot;
                    }
                }
                float gradBias = model.bias().getArray().getGradient().getFloat();
                float gradLogT = model.logTemperature().getArray().getGradient().getFloat();
                assertThat(gradBias).isNotZero();
                assertThat(gradLogT).isNotZero();
                assertThat((double) gradBias)
                        .isCloseTo(dBias, within(1e-5 + 1e-4 * Math.abs(dBias)));
                assertThat((double) gradLogT)
                        .isCloseTo(
                                dLogTemperature, within(1e-5 + 1e-4 * Math.abs(dLogTemperature)));
            }
        }
    }

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        // Regression: x.div(Number) let autograd read a freed Java buffer in backward. Collect
        // garbage and refill freed native memory with NaN bytes between forward and backward:
        // the gradients must stay finite and equal to those of an undisturbed pass.
        ModelConfig config = ModelConfig.tiny(TOKENIZER.vocabSize());
        TrainingBatch batch = batches(config, 4, 1).get(0);
        float[][] undisturbed = gradients(config, batch, false);
        float[][] disturbed = gradients(config, batch, true);
        for (int p = 0; p < undisturbed.length; p++) {
            for (float g : disturbed[p]) {
                assertThat(Float.isFinite(g)).isTrue();
            }
            assertThat(disturbed[p]).containsExactly(undisturbed[p]);
        }
    }

    private static float[][] gradients(ModelConfig config, TrainingBatch batch, boolean disturb)
            throws InterruptedException {
        try (TrainingSession session =
                TrainingSession.create(config, OptimizerConfig.defaults(), 4)) {
            ParameterStore ps = new ParameterStore(session.manager(), false);
            try (NDManager m = session.manager().newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = embeddingsAndLogits(session.model(), ps, inputs(m, batch, config));
                NDArray loss = SigmoidLoss.compute(out.get(2));
                if (disturb) {
                    for (int round = 0; round < 3; round++) {
                        System.gc();
                        Thread.sleep(50);
                        List<java.nio.ByteBuffer> junk = new java.util.ArrayList<>();
                        for (int i = 0; i < 2000; i++) {
                            java.nio.ByteBuffer b =
                                    java.nio.ByteBuffer.allocateDirect(4 + (i % 4) * 4);
                            while (b.hasRemaining()) {
                                b.put((byte) 0xFF); // 0xFFFFFFFF is a NaN
                            }
                            junk.add(b);
                        }
                    }
                }
                gc.backward(loss);
                var params = session.model().getParameters();
                float[][] out2 = new float[params.size()][];
                for (int i = 0; i < params.size(); i++) {
                    try (NDArray g = params.get(i).getValue().getArray().getGradient()) {
                        out2[i] = g.toFloatArray();
                    }
                }
                return out2;
            }
        }
    }

    @Test
    void paddingDoesNotChangeATextEmbedding() {
        // Same caption alone and next to a much longer one: the padding mask keeps it identical.
        ModelConfig config = ModelConfig.tiny(TOKENIZER.vocabSize());
        for (ModelConfig.TextPooling pooling : ModelConfig.TextPooling.values()) {
            ModelConfig c = config.toBuilder().textPooling(pooling).build();
            try (TrainingSession session =
                    TrainingSession.create(c, OptimizerConfig.defaults(), 2)) {
                int ctx = c.contextLength();
                int[] ids = new int[2 * ctx];
                float[] mask = new float[2 * ctx];
                TrainingBatch.putTokens(TOKENIZER.encode("a red circle"), ctx, 1, ids, mask, 0);
                TrainingBatch.putTokens(
                        TOKENIZER.encode("a much longer caption about a blue ring"),
                        ctx,
                        1,
                        ids,
                        mask,
                        1);
                float[][] both = session.embedTexts(ids, mask, 2);
                int[] changed = ids.clone();
                for (int i = 13; i < ctx; i++) { // 12 bytes + EOS are real
                    changed[i] = 77; // garbage under the mask
                }
                float[][] garbage = session.embedTexts(changed, mask, 2);
                for (int k = 0; k < c.embedDim(); k++) {
                    assertThat(garbage[0][k]).isCloseTo(both[0][k], within(1e-5f));
                }
            }
        }
    }

    @Test
    void stepsLeakNoArraysIntoTheModelsManager() {
        ModelConfig config = ModelConfig.tiny(TOKENIZER.vocabSize());
        List<TrainingBatch> batches = batches(config, 8, 2);
        try (TrainingSession session =
                TrainingSession.create(config, OptimizerConfig.defaults(), 1)) {
            session.step(batches.get(0));
            int before = managed(session.manager());
            for (int i = 0; i < 5; i++) {
                session.step(batches.get(i % 2));
                session.loss(batches.get(0));
            }
            assertThat(managed(session.manager())).isEqualTo(before);
        }
    }

    private static int managed(NDManager manager) {
        int count = ((BaseNDManager) manager).getManagedArrays().size();
        return count;
    }

    /**
     * x, y and the logits as a training step computes them (LossStep with the sigmoid loss): each
     * tower on its own, the logits by the loss.
     */
    private static NDList embeddingsAndLogits(SiglipModel model, ParameterStore ps, NDList in) {
        NDArray x = model.embedImages(ps, in.get(0), true);
        NDArray y = model.embedTexts(ps, in.get(1), in.get(2), true);
        NDArray logTemperature = ps.getValue(model.logTemperature(), y.getDevice(), true);
        NDArray bias = ps.getValue(model.bias(), y.getDevice(), true);
        return new NDList(x, y, SigmoidLoss.logits(x, y, logTemperature, bias));
    }

    private static NDList inputs(NDManager m, TrainingBatch b, ModelConfig c) {
        Shape text = new Shape(b.size(), c.contextLength());
        return new NDList(
                m.create(b.images(), new Shape(b.size(), 3, c.imageSize(), c.imageSize())),
                m.create(b.tokenIds(), text),
                m.create(b.mask(), text));
    }

    private static double norm(float[] rows, int i, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
            s += rows[i * d + k] * rows[i * d + k];
        }
        return Math.sqrt(s);
    }
}
