package io.streamlip.trainer.clippo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.DecodedExample;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.ContrastiveModel;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SiglipModel;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CLIPPO is one tower: images and rendered captions go through the same parameters. */
class ClippoModelTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig TINY =
            ModelConfig.preset("clippo-tiny", TOKENIZER.vocabSize());

    @TempDir Path dir;

    private List<DecodedExample> examples(int count) {
        return PreprocessedExamples.of(
                new SyntheticPairs().pairs(count, 21),
                TINY.imageSize(),
                TOKENIZER,
                ClippoRendering.open(TestFont.write(dir)));
    }

    private TrainingBatch batch(int size) {
        return TrainingBatch.of(examples(size), TINY, TOKENIZER.eosId(), Map.of());
    }

    @Test
    void thePresetsBuildOneTowerAndNoTextTower() {
        for (String name : List.of("clippo-tiny", "clippo-small", "clippo-b16")) {
            ModelConfig config = ModelConfig.preset(name, TOKENIZER.vocabSize());
            assertThat(config.family()).as(name).isEqualTo(ModelFamily.CLIPPO);
            assertThat(config.imageSize()).as(name).isGreaterThanOrEqualTo(16);
        }
        try (TrainingSession session =
                TrainingSession.create(TINY, OptimizerConfig.defaults(), 3)) {
            ContrastiveModel model = session.contrastiveModel();
            assertThat(model).isInstanceOf(ClippoModel.class);
            // The same shape as two towers: CLIPPO's parameters are exactly its image tower's
            // (renamed) plus t' and b.
            SiglipModel twoTowers =
                    SiglipModel.create(
                            TINY.toBuilder().family(ModelFamily.TWO_TOWER).build(),
                            session.manager(),
                            3);
            Map<String, Shape> expected = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : twoTowers.getParameters()) {
                if (!p.getKey().matches("\\d*text_.*")) {
                    expected.put(
                            p.getKey().replaceFirst("^(\\d*)image_", "$1tower_"),
                            p.getValue().getShape());
                }
            }
            Map<String, Shape> actual = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : model.getParameters()) {
                actual.put(p.getKey(), p.getValue().getShape());
            }
            assertThat(actual).isEqualTo(expected);
            assertThatThrownBy(session::model)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CLIPPO");
        }
    }

    @Test
    void theSamePixelsEmbedTheSameAsImageOrAsText() {
        TrainingBatch batch = batch(4);
        try (TrainingSession session =
                TrainingSession.create(TINY, OptimizerConfig.defaults(), 3)) {
            float[][] asText = session.embedRenderedTexts(batch.renderedTexts(), 4);
            float[][] asImage = session.embedImages(batch.renderedTexts(), 4);
            for (int i = 0; i < 4; i++) {
                assertThat(asText[i]).containsExactly(asImage[i]);
            }
            float[][] images = session.embedImages(batch.images(), 4);
            assertThat(images[0]).isNotEqualTo(asText[0]);
        }
    }

    @Test
    void eachModalityAloneReachesEveryTowerParameter() {
        TrainingBatch batch = batch(4);
        Shape shape = new Shape(4, 3, TINY.imageSize(), TINY.imageSize());
        TreeSet<String> fromTexts =
                reached(
                        (session, m) ->
                                session.contrastiveModel()
                                        .embedTexts(
                                                new ParameterStore(session.manager(), false),
                                                new NDList(m.create(batch.renderedTexts(), shape)),
                                                true));
        TreeSet<String> fromImages =
                reached(
                        (session, m) ->
                                session.contrastiveModel()
                                        .embedImages(
                                                new ParameterStore(session.manager(), false),
                                                m.create(batch.images(), shape),
                                                true));
        TreeSet<String> tower = new TreeSet<>();
        try (TrainingSession session =
                TrainingSession.create(TINY, OptimizerConfig.defaults(), 3)) {
            for (Pair<String, Parameter> p : session.contrastiveModel().getParameters()) {
                if (isTower(p.getKey())) {
                    tower.add(p.getKey());
                }
            }
        }
        assertThat(tower).hasSizeGreaterThan(10);
        assertThat(fromTexts).isEqualTo(tower);
        assertThat(fromImages).isEqualTo(tower);
    }

    /** The parameters a backward from {@code embed}'s output gives a non-zero gradient. */
    private static TreeSet<String> reached(BiFunction<TrainingSession, NDManager, NDArray> embed) {
        TreeSet<String> out = new TreeSet<>();
        try (TrainingSession session = TrainingSession.create(TINY, OptimizerConfig.defaults(), 3);
                NDManager m = session.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray e = embed.apply(session, m);
                NDArray weights =
                        m.arange(e.size()).reshape(e.getShape()).toType(e.getDataType(), false);
                gc.backward(e.mul(weights.sin()).sum());
            }
            for (Pair<String, Parameter> p : session.contrastiveModel().getParameters()) {
                NDArray g = p.getValue().getArray().getGradient();
                if (g.abs().sum().getFloat() > 0) {
                    out.add(p.getKey());
                }
                g.close();
            }
        }
        return out;
    }

    @Test
    void oneUpdateChangesTheOneSetOfWeights() {
        TrainingBatch batch = batch(8);
        for (LossConfig loss : List.of(LossConfig.defaults(), LossConfig.softmax())) {
            try (TrainingSession session =
                    TrainingSession.create(TINY, OptimizerConfig.defaults(), loss, 3)) {
                Map<String, float[]> before = parameters(session);
                TrainingSession.StepResult result = session.step(batch);
                assertThat(result.skipped()).isFalse();
                assertThat(Float.isFinite(result.loss())).isTrue();
                Map<String, float[]> after = parameters(session);
                TreeSet<String> changed = new TreeSet<>();
                after.forEach(
                        (name, values) -> {
                            if (!Arrays.equals(values, before.get(name))) {
                                changed.add(name);
                            }
                        });
                TreeSet<String> tower = new TreeSet<>(after.keySet());
                tower.removeIf(n -> !isTower(n));
                assertThat(changed).as(loss.kind().name()).containsAll(tower);
                assertThat(after.keySet())
                        .allMatch(
                                n -> isTower(n) || n.equals("log_temperature") || n.equals("bias"));
            }
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        TrainingBatch withoutRenderings =
                TrainingBatch.of(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(4, 21), TINY.imageSize(), TOKENIZER),
                        TINY.toBuilder().family(ModelFamily.TWO_TOWER).build(),
                        TOKENIZER.eosId(),
                        Map.of());
        assertThat(withoutRenderings.renderedTexts()).isEmpty();
        assertThatThrownBy(
                        () ->
                                TrainingBatch.of(
                                        PreprocessedExamples.of(
                                                new SyntheticPairs().pairs(4, 21),
                                                TINY.imageSize(),
                                                TOKENIZER),
                                        TINY,
                                        TOKENIZER.eosId(),
                                        Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no rendered caption");
        try (TrainingSession session =
                TrainingSession.create(TINY, OptimizerConfig.defaults(), 3)) {
            assertThatThrownBy(() -> session.step(withoutRenderings))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rendered captions");
            assertThatThrownBy(() -> session.embedTexts(new int[32], new float[32], 1))
                    .isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(
                        () ->
                                TrainingSession.create(
                                        TINY,
                                        OptimizerConfig.defaults(),
                                        LossConfig.defaults(),
                                        LitConfig.from(dir),
                                        3,
                                        ai.djl.Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LiT");
        assertThatThrownBy(
                        () -> new ClippoModel(TINY.toBuilder().imageSize(8).patchSize(8).build()))
                .hasMessageContaining("at least 16");
    }

    private static boolean isTower(String parameter) {
        return parameter.matches("\\d*tower_.*");
    }

    private static Map<String, float[]> parameters(TrainingSession session) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var p : session.contrastiveModel().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void aClippoTrainerReadsTheExamplesOfAnyTokenizerButNeedsTheRenderedCaption() throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        TrainerConfig clippo =
                TrainerConfig.builder()
                        .tokenizerAndModelVocabulary(tokenizer)
                        .model(ModelConfig.preset("clippo-tiny", tokenizer.vocabSize()))
                        .checkpointDir(dir.resolve("clippo"))
                        .build();
        TrainerConfig twoTowers =
                clippo.toBuilder()
                        .model(ModelConfig.tiny(tokenizer.vocabSize()))
                        .checkpointDir(dir.resolve("two"))
                        .build();
        int size = clippo.model().imageSize();
        assertThat(twoTowers.model().imageSize()).isEqualTo(size);
        // Made by a subword tokenizer: another version, ids beyond the byte vocabulary.
        Example.Builder example =
                Example.newBuilder()
                        .setId("bpe-1")
                        .setLang("en")
                        .setCaption("a red circle")
                        .setTokenIds(List.of(5000, 7000, 2))
                        .setTokenizerVersion("bpe-8000-0123abcd")
                        .setImage(ByteBuffer.wrap(new byte[size * size * 3]))
                        .setImageFormat(PixelFormat.RGB8_HWC)
                        .setImageSize(size)
                        .setRenderedText(ByteBuffer.wrap(new byte[size * size]))
                        .setSourceTime(Instant.EPOCH);
        byte[] record = AvroSerde.of(Example.class).encode(example.build());

        DecodedExample read = Trainer.exampleDecoder(clippo).decode(record);
        assertThat(read.renderedText()).hasSize(size * size);
        assertThat(read.tokenIds()).containsExactly(5000, 7000, 2);
        assertThatThrownBy(() -> Trainer.exampleDecoder(twoTowers).decode(record))
                .isInstanceOfSatisfying(
                        ExampleDecoder.InvalidExampleException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(ExampleDecoder.Refusal.WRONG_TOKENIZER));
        byte[] unrendered =
                AvroSerde.of(Example.class).encode(example.setRenderedText(null).build());
        assertThatThrownBy(() -> Trainer.exampleDecoder(clippo).decode(unrendered))
                .isInstanceOfSatisfying(
                        ExampleDecoder.InvalidExampleException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(ExampleDecoder.Refusal.NO_RENDERED_TEXT));
    }
}
