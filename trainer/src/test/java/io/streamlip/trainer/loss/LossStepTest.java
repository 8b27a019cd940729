package io.streamlip.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two-phase (chunked) backward through the towers against the whole-matrix backward. */
class LossStepTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    @Test
    void chunkedStepGivesEveryParameterTheWholeLossGradient() {
        // MAP image pooling and last-token text pooling: the B/16 preset's paths, tiny sizes.
        ModelConfig config =
                ModelConfig.tiny(TOKENIZER.vocabSize()).toBuilder()
                        .imagePooling(ModelConfig.ImagePooling.MAP)
                        .textPooling(ModelConfig.TextPooling.LAST)
                        .build();
        TrainingBatch batch =
                SyntheticExamples.batches(
                                SyntheticExamples.generate(12, 8, config.imageSize(), TOKENIZER),
                                12,
                                config,
                                TOKENIZER.eosId())
                        .get(0);
        Map<String, float[]> whole = new LinkedHashMap<>();
        float wholeLoss = gradients(config, batch, LossConfig.defaults(), whole);
        for (int chunks : new int[] {4, 5}) {
            Map<String, float[]> chunked = new LinkedHashMap<>();
            float chunkedLoss =
                    gradients(config, batch, LossConfig.chunkedSigmoid(chunks), chunked);
            assertThat(Math.abs(chunkedLoss - wholeLoss)).isLessThanOrEqualTo(1e-5f * wholeLoss);
            assertThat(chunked.keySet()).isEqualTo(whole.keySet());
            // t' and b are among them, and every tower's weights.
            assertThat(whole.keySet())
                    .anyMatch(k -> k.endsWith("log_temperature"))
                    .anyMatch(k -> k.endsWith("bias") && !k.contains("_"))
                    .anyMatch(k -> k.contains("probe"));
            for (String name : whole.keySet()) {
                float[] a = chunked.get(name);
                float[] b = whole.get(name);
                double scale = 0;
                double diff = 0;
                for (int i = 0; i < b.length; i++) {
                    scale = Math.max(scale, Math.abs(b[i]));
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                assertThat(scale).as(name + " has a gradient").isPositive();
                assertThat(diff)
                        .as("%s with %d chunks: max |diff| vs max |grad| %s", name, chunks, scale)
                        .isLessThanOrEqualTo(1e-5 * scale);
            }
        }
    }

    @Test
    void softmaxStepTrainsTheTowersButNotTheBias() {
        ModelConfig config = ModelConfig.tiny(TOKENIZER.vocabSize());
        TrainingBatch batch =
                SyntheticExamples.batches(
                                SyntheticExamples.generate(8, 8, config.imageSize(), TOKENIZER),
                                8,
                                config,
                                TOKENIZER.eosId())
                        .get(0);
        Map<String, float[]> grads = new LinkedHashMap<>();
        float loss = gradients(config, batch, LossConfig.softmax(), grads);
        assertThat(loss).isPositive();
        grads.forEach(
                (name, g) -> {
                    double max = 0;
                    for (float v : g) {
                        max = Math.max(max, Math.abs(v));
                    }
                    if (name.endsWith("bias") && !name.contains("_")) {
                        assertThat(max).as(name).isZero();
                    } else if (name.endsWith("log_temperature")) {
                        assertThat(max).as(name).isPositive();
                    }
                });
    }

    /** The loss of one forward-backward of a fresh seeded model, its gradients into {@code out}. */
    private static float gradients(
            ModelConfig config, TrainingBatch batch, LossConfig loss, Map<String, float[]> out) {
        try (TrainingSession session =
                        TrainingSession.create(config, OptimizerConfig.defaults(), loss, 3);
                NDManager m = session.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(session.manager(), false);
            int b = batch.size();
            Shape text = new Shape(b, config.contextLength());
            NDArray images =
                    m.create(
                            batch.images(),
                            new Shape(b, 3, config.imageSize(), config.imageSize()));
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                value =
                        new LossStep(loss)
                                .forwardBackward(
                                        gc,
                                        session.model(),
                                        ps,
                                        images,
                                        m.create(batch.tokenIds(), text),
                                        m.create(batch.mask(), text),
                                        null,
                                        true);
            }
            for (Pair<String, Parameter> p : session.model().getParameters()) {
                NDArray g = p.getValue().getArray().getGradient();
                out.put(p.getKey(), g.toFloatArray());
                g.close();
            }
            return value;
        }
    }
}
