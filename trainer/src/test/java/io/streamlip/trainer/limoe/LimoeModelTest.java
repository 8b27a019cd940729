package io.streamlip.trainer.limoe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.loss.SigmoidLoss;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SiglipModel;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimoeModelTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final int WIDTH = 16;

    @TempDir Path temp;

    @BeforeAll
    static void oneThread() {
        TrainingSession.setThreads(1);
    }

    private static ModelConfig tiny() {
        return ModelConfig.preset("limoe-tiny", TOKENIZER.vocabSize());
    }

    @Test
    void presetsAreLimoeAndTheConfigRefusesWhatCannotBuild() {
        for (String name : List.of("limoe-tiny", "limoe-small", "limoe-b16")) {
            ModelConfig c = ModelConfig.preset(name, 300);
            assertThat(c.family()).as(name).isEqualTo(ModelFamily.LIMOE);
            assertThat(c.moe()).as(name).isNotNull();
            assertThat(c.moe().topK()).isEqualTo(1);
        }
        assertThat(ModelConfig.tiny(300).moe()).isNull();
        ModelConfig tiny = tiny();
        assertThatThrownBy(() -> tiny.toBuilder().family(ModelFamily.TWO_TOWER).build())
                .hasMessageContaining("moe is set");
        assertThatThrownBy(() -> tiny.toBuilder().moe(null).build())
                .hasMessageContaining("needs its moe");
        assertThatThrownBy(() -> tiny.toBuilder().textWidth(128).build())
                .hasMessageContaining("one transformer");
        assertThatThrownBy(
                        () ->
                                tiny.toBuilder()
                                        .moe(tiny.moe().toBuilder().moeLayers(List.of(2)).build())
                                        .build())
                .hasMessageContaining("beyond depth");
        assertThatThrownBy(() -> MoeConfig.builder().experts(4).topK(5).build())
                .hasMessageContaining("topK");
        assertThatThrownBy(() -> MoeConfig.builder().experts(4).globalEntropyThreshold(2.0).build())
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> new SiglipModel(tiny)).hasMessageContaining("two-tower");
        assertThat(MoeConfig.everyOther(6)).containsExactly(1, 3, 5);
    }

    @Test
    void aTokenOverCapacitySkipsTheLayerThroughTheResidual() {
        MoeConfig config =
                MoeConfig.builder().experts(4).moeLayers(List.of(0)).capacityFactor(0.25).build();
        try (NDManager m = NDManager.newBaseManager()) {
            MoeMlp moe = new MoeMlp(config, WIDTH, 2);
            Engine.getInstance().setRandomSeed(3);
            moe.setInitializer(
                    new ai.djl.training.initializer.XavierInitializer(), Parameter.Type.WEIGHT);
            moe.initialize(m, DataType.FLOAT32, new Shape(16, WIDTH));
            NDArray x = m.randomNormal(new Shape(16, WIDTH));
            boolean[] valid = new boolean[16];
            java.util.Arrays.fill(valid, true);
            valid[15] = false; // padding: never routed, passes unchanged
            MoeMlp.Output out =
                    moe.route(
                            new ParameterStore(m, false),
                            x,
                            List.of(
                                    new MoeMlp.Segment(
                                            Modality.IMAGE,
                                            0,
                                            8,
                                            java.util.Arrays.copyOf(valid, 8)),
                                    new MoeMlp.Segment(
                                            Modality.TEXT,
                                            8,
                                            16,
                                            java.util.Arrays.copyOfRange(valid, 8, 16))),
                            false);
            // 15 routed tokens, capacity ceil(15 / 4 · 0.25) = 1 per expert.
            RoutingStats.ModalityRouting image = out.routing().get(Modality.IMAGE);
            RoutingStats.ModalityRouting text = out.routing().get(Modality.TEXT);
            assertThat(image.tokens() + text.tokens()).isEqualTo(15);
            int kept =
                    java.util.Arrays.stream(image.load()).sum()
                            + java.util.Arrays.stream(text.load()).sum();
            assertThat(kept).isBetween(1, 4);
            assertThat(image.dropped() + text.dropped()).isEqualTo(15 - kept);
            float[] in = x.toFloatArray();
            float[] res = out.output().toFloatArray();
            int unchanged = 0;
            for (int t = 0; t < 16; t++) {
                boolean same = true;
                for (int c = 0; c < WIDTH; c++) {
                    same &= in[t * WIDTH + c] == res[t * WIDTH + c];
                }
                unchanged += same ? 1 : 0;
            }
            assertThat(unchanged).isEqualTo(16 - kept); // the dropped ones and the padding
        }
    }

    @Test
    void gradientsReachTheRouterTheUsedExpertsAndTheModalityEmbeddings() {
        ModelConfig config = tiny();
        TrainingBatch batch = batches(config, 16, 1).get(0);
        try (NDManager m = NDManager.newBaseManager()) {
            LimoeModel model = LimoeModel.create(config, m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            RoutingStats routing;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray images =
                        m.create(
                                batch.images(),
                                new Shape(16, 3, config.imageSize(), config.imageSize()));
                Shape text = new Shape(16, config.contextLength());
                LimoeModel.Encoded e =
                        model.encode(
                                ps,
                                images,
                                m.create(batch.tokenIds(), text),
                                m.create(batch.mask(), text),
                                true);
                NDArray loss =
                        SigmoidLoss.compute(
                                        e.images(),
                                        e.texts(),
                                        ps.getValue(model.logTemperature(), m.getDevice(), true),
                                        ps.getValue(model.bias(), m.getDevice(), true))
                                .add(e.auxiliaryLoss());
                collector.backward(loss);
                routing = e.routing();
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : model.getParameters()) {
                grads.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
            assertThat(norm(only(grads, "router_weight"))).isGreaterThan(0);
            assertThat(norm(only(grads, "image_modality"))).isGreaterThan(0);
            assertThat(norm(only(grads, "text_modality"))).isGreaterThan(0);
            float[] expertsIn = only(grads, "moe_experts_in");
            RoutingStats.BlockRouting block = routing.blocks().get(0);
            int perExpert = expertsIn.length / config.moe().experts();
            for (int e = 0; e < config.moe().experts(); e++) {
                int load =
                        block.modalities().get(Modality.IMAGE).load()[e]
                                + block.modalities().get(Modality.TEXT).load()[e];
                double g =
                        norm(
                                java.util.Arrays.copyOfRange(
                                        expertsIn, e * perExpert, (e + 1) * perExpert));
                if (load > 0) {
                    assertThat(g).as("expert %d with %d tokens", e, load).isGreaterThan(0);
                } else {
                    assertThat(g).as("expert %d without tokens", e).isEqualTo(0);
                }
            }
        }
    }

    @Test
    void routingDependsOnlyOnParametersAndBatchAndResumeIsBitIdentical() throws Exception {
        ModelConfig config = tiny();
        List<TrainingBatch> batches = batches(config, 16, 4);
        OptimizerConfig optimizer = OptimizerConfig.builder().warmupSteps(2).build();
        Path folder = temp.resolve("ckpt");
        float referenceLoss;
        Map<String, Double> referenceRouting;
        Map<String, float[]> referenceParams;
        try (TrainingSession session = TrainingSession.create(config, optimizer, 9)) {
            assertThat(session.contrastiveModel()).isInstanceOf(LimoeModel.class);
            assertThat(session.lastRouting()).isNull();
            for (int i = 0; i < 3; i++) {
                session.step(batches.get(i));
            }
            assertThat(session.routingMetrics()).containsKey("routing.b1.image.dropped");
            // Two passes over the same batch route the same: no state between passes.
            float once = session.loss(batches.get(3));
            assertThat(session.loss(batches.get(3))).isEqualTo(once);
            session.save(folder);
            referenceLoss = session.step(batches.get(3)).loss();
            referenceRouting = session.routingMetrics();
            referenceParams = parameters(session);
        }
        try (TrainingSession restored = TrainingSession.restore(config, optimizer, folder)) {
            assertThat(restored.steps()).isEqualTo(3);
            assertThat(restored.step(batches.get(3)).loss()).isEqualTo(referenceLoss);
            assertThat(restored.routingMetrics()).isEqualTo(referenceRouting);
            Map<String, float[]> params = parameters(restored);
            assertThat(params.keySet()).containsExactlyElementsOf(referenceParams.keySet());
            params.forEach(
                    (name, values) ->
                            assertThat(values).as(name).containsExactly(referenceParams.get(name)));
            float[][] images = restored.embedImages(batches.get(0).images(), 16);
            assertThat(images).hasNumberOfRows(16);
            assertThat(images[0]).hasSize(config.embedDim());
        }
    }

    @Test
    void oneExpertIsTheDenseModelWithNothingDroppedOrLost() {
        ModelConfig config =
                tiny().toBuilder()
                        .moe(tiny().moe().toBuilder().experts(1).globalEntropyThreshold(0).build())
                        .build();
        try (TrainingSession session =
                TrainingSession.create(config, OptimizerConfig.defaults(), 2)) {
            session.step(batches(config, 16, 1).get(0));
            Map<String, Double> metrics = session.routingMetrics();
            assertThat(metrics.get("routing.b1.image.dropped")).isEqualTo(0.0);
            assertThat(metrics.get("routing.b1.text.dropped")).isEqualTo(0.0);
            assertThat(metrics.get("routing.b1.image.expert0")).isEqualTo(1.0);
            assertThat(metrics.get("routing.aux_loss")).isEqualTo(0.0);
        }
    }

    @Test
    void theChunkedLossGivesTheWholeLossAndItsGradientsRouterIncluded() {
        ModelConfig config = tiny();
        TrainingBatch batch = batches(config, 16, 1).get(0);
        LimoeLossStep.Result whole;
        LimoeLossStep.Result chunked;
        Map<String, float[]> wholeGrads = new LinkedHashMap<>();
        Map<String, float[]> chunkedGrads = new LinkedHashMap<>();
        whole = gradients(config, batch, LossConfig.defaults(), wholeGrads);
        chunked = gradients(config, batch, LossConfig.chunkedSigmoid(4), chunkedGrads);
        assertThat((double) chunked.contrastive())
                .isCloseTo(whole.contrastive(), within(1e-5 * Math.abs(whole.contrastive())));
        assertThat(chunked.auxiliary()).isEqualTo(whole.auxiliary()); // the same forward pass
        assertThat(chunkedGrads.keySet()).containsExactlyElementsOf(wholeGrads.keySet());
        for (String name : wholeGrads.keySet()) {
            float[] w = wholeGrads.get(name);
            float[] c = chunkedGrads.get(name);
            double scale = 0;
            for (float v : w) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < w.length; i++) {
                assertThat((double) c[i])
                        .as("%s[%d]", name, i)
                        .isCloseTo(w[i], within(1e-4 * scale + 1e-9));
            }
        }
        // The auxiliary losses reach the router in the chunked form too (not only through the
        // contrastive loss): its gradient is not zero, and equal to the whole form's above.
        assertThat(norm(only(chunkedGrads, "router_weight"))).isGreaterThan(0);
        assertThat(whole.auxiliary()).isNotEqualTo(0f);
    }

    /** One forward and backward of {@code loss} on a fresh model (seed 1); its gradients. */
    private static LimoeLossStep.Result gradients(
            ModelConfig config, TrainingBatch batch, LossConfig loss, Map<String, float[]> out) {
        try (NDManager m = NDManager.newBaseManager()) {
            LimoeModel model = LimoeModel.create(config, m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            Shape text = new Shape(batch.size(), config.contextLength());
            LimoeLossStep.Result result;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                result =
                        new LimoeLossStep(loss)
                                .forwardBackward(
                                        collector,
                                        model,
                                        ps,
                                        m.create(
                                                batch.images(),
                                                new Shape(
                                                        batch.size(),
                                                        3,
                                                        config.imageSize(),
                                                        config.imageSize())),
                                        m.create(batch.tokenIds(), text),
                                        m.create(batch.mask(), text));
            }
            for (Pair<String, Parameter> p : model.getParameters()) {
                out.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
            }
            return result;
        }
    }

    @Test
    void withTopTwoEachTokensOutputAddsItsTwoBestExpertsWeightedByTheirRouterProbabilities() {
        int experts = 4;
        int hidden = 2 * WIDTH;
        int n = 12;
        MoeConfig config =
                MoeConfig.builder()
                        .experts(experts)
                        .topK(2)
                        .moeLayers(List.of(0))
                        .capacityFactor(4.0) // room for every choice: nothing is dropped
                        .build();
        try (NDManager m = NDManager.newBaseManager()) {
            MoeMlp moe = new MoeMlp(config, WIDTH, 2);
            Engine.getInstance().setRandomSeed(5);
            moe.setInitializer(
                    new ai.djl.training.initializer.XavierInitializer(), Parameter.Type.WEIGHT);
            moe.initialize(m, DataType.FLOAT32, new Shape(n, WIDTH));
            // LayerNorm's scale and shift away from 1 and 0, so that they count too.
            for (Pair<String, Parameter> p : moe.getParameters()) {
                if (p.getKey().contains("moe_norm")) {
                    NDArray a = p.getValue().getArray();
                    a.set(m.randomUniform(0.5f, 1.5f, a.getShape()).toFloatArray());
                }
            }
            NDArray x = m.randomNormal(new Shape(n, WIDTH));
            boolean[] valid = new boolean[n];
            java.util.Arrays.fill(valid, true);
            MoeMlp.Output out =
                    moe.route(
                            new ParameterStore(m, false),
                            x,
                            List.of(new MoeMlp.Segment(Modality.IMAGE, 0, n, valid)),
                            false);
            RoutingStats.ModalityRouting r = out.routing().get(Modality.IMAGE);
            assertThat(r.routed()).isEqualTo(2 * n);
            assertThat(r.dropped()).isZero();

            Map<String, float[]> p = new LinkedHashMap<>();
            for (Pair<String, Parameter> e : moe.getParameters()) {
                p.put(e.getKey(), e.getValue().getArray().toFloatArray());
            }
            float[] gamma = only(p, "moe_norm_gamma");
            float[] beta = only(p, "moe_norm_beta");
            float[] router = only(p, "router_weight"); // (experts, width)
            float[] wIn = only(p, "experts_in"); // (experts, width, hidden)
            float[] bIn = only(p, "experts_in_bias");
            float[] wOut = only(p, "experts_out"); // (experts, hidden, width)
            float[] bOut = only(p, "experts_out_bias");
            float[] in = x.toFloatArray();
            float[] actual = out.output().toFloatArray();
            double minGateSum = 1;
            for (int t = 0; t < n; t++) {
                double[] h = layerNorm(in, t * WIDTH, WIDTH, gamma, beta);
                double[] probs = new double[experts];
                double max = Double.NEGATIVE_INFINITY;
                for (int e = 0; e < experts; e++) {
                    for (int c = 0; c < WIDTH; c++) {
                        probs[e] += h[c] * router[e * WIDTH + c];
                    }
                    max = Math.max(max, probs[e]);
                }
                double z = 0;
                for (int e = 0; e < experts; e++) {
                    probs[e] = Math.exp(probs[e] - max);
                    z += probs[e];
                }
                int first = 0;
                for (int e = 0; e < experts; e++) {
                    probs[e] /= z;
                    first = probs[e] > probs[first] ? e : first;
                }
                int second = first == 0 ? 1 : 0;
                for (int e = 0; e < experts; e++) {
                    second = e != first && probs[e] > probs[second] ? e : second;
                }
                minGateSum = Math.min(minGateSum, probs[first] + probs[second]);
                double[] expected = new double[WIDTH];
                for (int c = 0; c < WIDTH; c++) {
                    expected[c] = in[t * WIDTH + c];
                }
                for (int e : new int[] {first, second}) {
                    double[] y = expert(h, e, hidden, wIn, bIn, wOut, bOut);
                    for (int c = 0; c < WIDTH; c++) {
                        expected[c] += probs[e] * y[c];
                    }
                }
                for (int c = 0; c < WIDTH; c++) {
                    assertThat((double) actual[t * WIDTH + c])
                            .as("token %d feature %d", t, c)
                            .isCloseTo(expected[c], within(1e-4));
                }
            }
            // The gates are the router's probabilities, not renormalised over the two chosen:
            // tokens whose two gates sum well below 1 tell the two apart.
            assertThat(minGateSum).isLessThan(0.9);
        }
    }

    /** LayerNorm (eps 1e-5) of {@code width} values of {@code x} from {@code at}, in double. */
    private static double[] layerNorm(float[] x, int at, int width, float[] gamma, float[] beta) {
        double mean = 0;
        for (int c = 0; c < width; c++) {
            mean += x[at + c];
        }
        mean /= width;
        double var = 0;
        for (int c = 0; c < width; c++) {
            var += (x[at + c] - mean) * (x[at + c] - mean);
        }
        var /= width;
        double[] out = new double[width];
        for (int c = 0; c < width; c++) {
            out[c] = (x[at + c] - mean) / Math.sqrt(var + 1e-5) * gamma[c] + beta[c];
        }
        return out;
    }

    /** Expert {@code e}'s MLP (exact GELU) of {@code h}, in double. */
    private static double[] expert(
            double[] h, int e, int hidden, float[] wIn, float[] bIn, float[] wOut, float[] bOut) {
        int width = h.length;
        double[] a = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double s = bIn[e * hidden + j];
            for (int c = 0; c < width; c++) {
                s += h[c] * wIn[(e * width + c) * hidden + j];
            }
            a[j] = 0.5 * s * (1 + erf(s / Math.sqrt(2)));
        }
        double[] y = new double[width];
        for (int c = 0; c < width; c++) {
            double s = bOut[e * width + c];
            for (int j = 0; j < hidden; j++) {
                s += a[j] * wOut[(e * hidden + j) * width + c];
            }
            y[c] = s;
        }
        return y;
    }

    /** erf by its Taylor series (|x| <= 5; beyond, erf is ±1 within 2e-12). */
    private static double erf(double x) {
        if (Math.abs(x) > 5) {
            return Math.signum(x);
        }
        double term = x;
        double sum = x;
        for (int k = 1; k < 200; k++) {
            term *= -x * x / k;
            double next = term / (2 * k + 1);
            sum += next;
            if (Math.abs(next) < 1e-17) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    private static List<TrainingBatch> batches(ModelConfig config, int size, int count) {
        return SyntheticExamples.batches(
                SyntheticExamples.generate(size * count, 4, config.imageSize(), TOKENIZER),
                size,
                config,
                TOKENIZER.eosId());
    }

    private static Map<String, float[]> parameters(TrainingSession session) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var p : session.contrastiveModel().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static float[] only(Map<String, float[]> grads, String... names) {
        for (String name : names) {
            for (Map.Entry<String, float[]> e : grads.entrySet()) {
                if (e.getKey().endsWith(name)) {
                    return e.getValue();
                }
            }
        }
        throw new AssertionError("no parameter ending " + List.of(names) + " in " + grads.keySet());
    }

    private static double norm(float[] values) {
        double s = 0;
        for (float v : values) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
