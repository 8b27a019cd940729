package io.streamlip.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

class ModelPresetsTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    @Test
    void b16HasSiglipBase16sParameterCounts() {
        // Built, never run: too slow for a CPU. Figures: ViT-B/16's encoder (patch embedding,
        // positions, 12 blocks, final norm) is the "86 M" of the ViT paper (timm's
        // vit_base_patch16_224 is 86.57 M with its class token and 1000-way head); big_vision's
        // MAPHead at width 768 adds 7.09 M; the text tower with its biased 768x768 head 110.27 M;
        // like transformers' SiglipModel for google/siglip-base-patch16-224 (32k vocabulary) it
        // has no image projection: 203,155,970 in all.
        ModelConfig b16 = ModelConfig.b16(32_000);
        try (NDManager manager = NDManager.newBaseManager()) {
            // Constant initial values: only the shapes matter here, and random ones cost seconds.
            SiglipModel model = new SiglipModel(b16);
            model.setInitializer(new ConstantInitializer(0f), p -> true);
            model.initialize(manager, DataType.FLOAT32, model.inputShapes(1));
            long encoder = 0;
            long mapHead = 0;
            long imageProjection = 0;
            for (Pair<String, Parameter> p : model.imageTower().getParameters()) {
                long size = p.getValue().getArray().size();
                if (p.getKey().contains("map_head")) {
                    mapHead += size;
                } else if (p.getKey().contains("projection")) {
                    imageProjection += size;
                } else {
                    encoder += size;
                }
            }
            long text = count(model.textTower().getParameters());
            long total = count(model.getParameters());
            assertThat(encoder).isEqualTo(85_797_120L);
            assertThat(mapHead).isEqualTo(7_087_104L);
            assertThat(imageProjection).isZero();
            assertThat(text).isEqualTo(110_271_744L);
            assertThat(total).isEqualTo(encoder + mapHead + text + 2).isEqualTo(203_155_970L);
        }
    }

    /** Today's preset values, written out: the preset files must reproduce them exactly. */
    @Test
    void eachPresetLoadsWithItsValues() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String shared =
                "\"imageSize\": %d, \"patchSize\": %d, \"imageWidth\": %d, \"imageDepth\": %d,"
                        + " \"imageHeads\": %d, \"textWidth\": %d, \"textDepth\": %d,"
                        + " \"textHeads\": %d, \"mlpRatio\": 4, \"embedDim\": %d,"
                        + " \"contextLength\": %d, \"vocabSize\": 300, \"textPooling\": \"%s\","
                        + " \"imagePooling\": \"%s\"";
        String tiny = shared.formatted(32, 8, 64, 1, 2, 64, 1, 2, 64, 32, "MEAN", "MEAN");
        String small = shared.formatted(32, 8, 128, 2, 4, 128, 2, 4, 128, 32, "MEAN", "MEAN");
        String b16 =
                shared.formatted(224, 16, 768, 12, 12, 768, 12, 12, 768, 64, "FINAL", "MAP")
                                .replace("\"mlpRatio\": 4", "\"mlpWidth\": 3072")
                        + ", \"layerNormEps\": 1e-6, \"mlpActivation\": \"GELU_TANH\","
                        + " \"imageProjection\": false, \"textProjectionBias\": true,"
                        + " \"padTokenId\": 1";
        assertThat(ModelConfig.preset("tiny", 300))
                .isEqualTo(json.readValue("{\"name\": \"tiny\", " + tiny + "}", ModelConfig.class));
        assertThat(ModelConfig.preset("small", 300))
                .isEqualTo(
                        json.readValue("{\"name\": \"small\", " + small + "}", ModelConfig.class));
        assertThat(ModelConfig.preset("b16", 300))
                .isEqualTo(json.readValue("{\"name\": \"b16\", " + b16 + "}", ModelConfig.class));
    }

    @Test
    void presetsByName() {
        assertThat(ModelConfig.preset("small", 300)).isEqualTo(ModelConfig.small(300));
        assertThat(ModelConfig.preset("b16", 300).imagePooling())
                .isEqualTo(ModelConfig.ImagePooling.MAP);
        assertThat(ModelConfig.preset("b16", 300).textPooling())
                .isEqualTo(ModelConfig.TextPooling.FINAL);
        assertThat(ModelConfig.preset("tiny", 300).family()).isEqualTo(ModelFamily.TWO_TOWER);
        assertThatThrownBy(
                        () ->
                                new SiglipModel(
                                        ModelConfig.tiny(300).toBuilder()
                                                .family(ModelFamily.CLIPPO)
                                                .build()))
                .hasMessageContaining("not CLIPPO");
        assertThat(ModelConfig.presetNames())
                .containsExactly(
                        "b16",
                        "captioner-b16",
                        "captioner-small",
                        "captioner-tiny",
                        "clippo-b16",
                        "clippo-small",
                        "clippo-tiny",
                        "limoe-b16",
                        "limoe-small",
                        "limoe-tiny",
                        "small",
                        "so400m",
                        "tiny");
        assertThatThrownBy(() -> ModelConfig.preset("huge", 300))
                .hasMessageContaining(
                        "unknown model preset 'huge'; known: b16, captioner-b16, captioner-small,"
                                + " captioner-tiny, clippo-b16, clippo-small, clippo-tiny,"
                                + " limoe-b16, limoe-small, limoe-tiny, small, so400m, tiny");
        assertThatThrownBy(() -> ModelConfig.preset("../model/presets/tiny", 300))
                .hasMessageContaining("known: b16, captioner-b16,");
    }

    @Test
    void aCheckpointStateWithoutImagePoolingReadsAsMeanPooling() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String old =
                json.writeValueAsString(ModelConfig.small(300))
                        .replace(",\"imagePooling\":\"MEAN\"", "");
        assertThat(old).doesNotContain("imagePooling");
        assertThat(json.readValue(old, ModelConfig.class)).isEqualTo(ModelConfig.small(300));
    }

    @Test
    void everyPoolingGivesUnitLengthEmbeddingsOfItsOwn() {
        ModelConfig tiny = ModelConfig.tiny(TOKENIZER.vocabSize());
        TrainingBatch batch =
                SyntheticExamples.batches(
                                SyntheticExamples.generate(6, 4, tiny.imageSize(), TOKENIZER),
                                6,
                                tiny,
                                TOKENIZER.eosId())
                        .get(0);
        float[][] mean = null;
        float[][] meanText = null;
        for (ModelConfig.ImagePooling image : ModelConfig.ImagePooling.values()) {
            for (ModelConfig.TextPooling textPooling : ModelConfig.TextPooling.values()) {
                ModelConfig c =
                        tiny.toBuilder().imagePooling(image).textPooling(textPooling).build();
                try (TrainingSession s = TrainingSession.create(c, OptimizerConfig.defaults(), 1)) {
                    float[][] x = s.embedImages(batch.images(), 6);
                    float[][] y = s.embedTexts(batch.tokenIds(), batch.mask(), 6);
                    assertThat(x).hasDimensions(6, c.embedDim());
                    assertThat(y).hasDimensions(6, c.embedDim());
                    for (int i = 0; i < 6; i++) {
                        assertThat(norm(x[i])).isCloseTo(1, within(1e-5));
                        assertThat(norm(y[i])).isCloseTo(1, within(1e-5));
                    }
                    // Rows differ from each other: the pooling did not collapse the batch.
                    assertThat(distance(x[0], x[1])).isGreaterThan(1e-4);
                    assertThat(distance(y[0], y[1])).isGreaterThan(1e-4);
                    if (image == ModelConfig.ImagePooling.MEAN
                            && textPooling == ModelConfig.TextPooling.MEAN) {
                        mean = x;
                        meanText = y;
                    } else if (image == ModelConfig.ImagePooling.MAP) {
                        assertThat(distance(x[0], mean[0])).isGreaterThan(1e-3);
                    } else {
                        assertThat(distance(y[0], meanText[0])).isGreaterThan(1e-3);
                    }
                }
            }
        }
    }

    private static long count(PairList<String, Parameter> parameters) {
        long n = 0;
        for (Pair<String, Parameter> p : parameters) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f * f;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
