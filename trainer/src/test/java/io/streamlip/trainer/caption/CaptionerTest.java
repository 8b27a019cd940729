package io.streamlip.trainer.caption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.streamlip.ingest.emoji.EmojiCorpus;
import io.streamlip.platform.image.TestImages;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.DecoderConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionerTest {
    @TempDir Path temp;

    @BeforeAll
    static void oneThread() {
        TrainingSession.setThreads(1);
    }

    /** A very small captioner: 16 px, 4 patches, widths 8 (image) and 12 (decoder), 11 ids. */
    static ModelConfig micro(boolean contrastive) {
        return ModelConfig.builder()
                .name("micro")
                .imageSize(16)
                .patchSize(8)
                .imageWidth(8)
                .imageDepth(1)
                .imageHeads(2)
                .textWidth(8)
                .textDepth(1)
                .textHeads(2)
                .mlpRatio(2)
                .embedDim(8)
                .contextLength(6)
                .vocabSize(11)
                .textPooling(ModelConfig.TextPooling.MEAN)
                .imagePooling(ModelConfig.ImagePooling.MEAN)
                .family(ModelFamily.CAPTIONER)
                .decoder(new DecoderConfig(2, 12, 3, 6, List.of("en", "de"), contrastive))
                .build();
    }

    private static float[] images(int count, int size, long seed) {
        Random random = new Random(seed);
        float[] out = new float[count * 3 * size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextFloat() * 2 - 1;
        }
        return out;
    }

    @Test
    void presetsAndShapesCarryTheDecoder() {
        ModelConfig small = ModelConfig.preset("captioner-small", 258);
        assertThat(small.family()).isEqualTo(ModelFamily.CAPTIONER);
        assertThat(small.decoder().languages()).contains("en", "zh");
        assertThat(ModelConfig.presetNames())
                .contains("captioner-tiny", "captioner-small", "captioner-b16");
        assertThat(ModelConfig.tiny(258).decoder()).isNull();
        assertThatThrownBy(() -> ModelConfig.tiny(258).toBuilder().decoder(small.decoder()).build())
                .hasMessageContaining("CAPTIONER");
        assertThatThrownBy(() -> small.toBuilder().decoder(null).build())
                .hasMessageContaining("CAPTIONER");
        assertThatThrownBy(
                        () ->
                                small.toBuilder()
                                        .decoder(new DecoderConfig(1, 8, 2, 64, List.of(), false))
                                        .build())
                .hasMessageContaining("context length");
    }

    /** The ten prompts the captioner presets had before they followed the demo's languages. */
    private static final List<String> OLD_PRESET_LANGUAGES =
            List.of("en", "de", "fr", "es", "pt", "ru", "ar", "hi", "ja", "zh");

    @Test
    void everyCaptionerPresetPromptsEveryLanguageTheDemosStreamCarries() {
        int vocab = 258;
        for (String name : List.of("captioner-tiny", "captioner-small", "captioner-b16")) {
            ModelConfig preset = ModelConfig.preset(name, vocab);
            assertThat(preset.decoder().languages())
                    .as(name)
                    .containsExactlyElementsOf(EmojiCorpus.DEMO_LANGUAGES);
            int other = CaptionPrompts.promptId(preset, null);
            Set<Integer> ids = new HashSet<>();
            for (String lang : EmojiCorpus.DEMO_LANGUAGES) {
                int id = CaptionPrompts.promptId(preset, lang);
                assertThat(id).as("%s %s", name, lang).isNotEqualTo(other);
                ids.add(id);
            }
            assertThat(ids).hasSize(EmojiCorpus.DEMO_LANGUAGES.size());
        }
        // demo --languages beyond the preset's: new prompts after the preset's, whose ids stay.
        ModelConfig tiny = ModelConfig.preset("captioner-tiny", vocab);
        ModelConfig more = tiny.captionPromptsExtendedTo(List.of("sv", "pt_BR", "EN", "SV", "ko"));
        assertThat(more.decoder().languages())
                .containsExactlyElementsOf(
                        java.util.stream.Stream.concat(
                                        EmojiCorpus.DEMO_LANGUAGES.stream(),
                                        java.util.stream.Stream.of("sv"))
                                .toList());
        assertThat(CaptionPrompts.promptId(more, "sv")).isEqualTo(vocab + 16);
        assertThat(CaptionPrompts.promptId(more, "pt-BR"))
                .isEqualTo(CaptionPrompts.promptId(tiny, "pt"));
        assertThat(CaptionPrompts.promptId(more, "ko"))
                .isEqualTo(CaptionPrompts.promptId(tiny, "ko"));
        assertThat(CaptionPrompts.promptId(more, null)).isEqualTo(vocab + 17);
        assertThat(tiny.captionPromptsExtendedTo(EmojiCorpus.DEMO_LANGUAGES)).isEqualTo(tiny);
        assertThat(ModelConfig.tiny(vocab).captionPromptsExtendedTo(List.of("sv")))
                .isEqualTo(ModelConfig.tiny(vocab));
    }

    @Test
    void aCheckpointWithTheOldTenPromptsStillLoadsAndCaptionsWithItsOwn() throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig now = ModelConfig.preset("captioner-tiny", tokenizer.vocabSize());
        DecoderConfig d = now.decoder();
        ModelConfig old =
                now.toBuilder()
                        .decoder(
                                new DecoderConfig(
                                        d.depth(),
                                        d.width(),
                                        d.heads(),
                                        d.maxLength(),
                                        OLD_PRESET_LANGUAGES,
                                        d.contrastive()))
                        .build();
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(8, 4, 32, tokenizer), 8, old, tokenizer.eosId());
        TrainerConfig config =
                TrainerConfig.builder()
                        .tokenizerAndModelVocabulary(tokenizer)
                        .model(old)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(temp.resolve("old"))
                        .runName("old")
                        .build();
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(config, BatchSource.of(batches.iterator()), (p, s) -> {})) {
            summary = trainer.run(StopCondition.afterSteps(1));
        }
        assertThat(CheckpointStore.readState(summary.checkpoint()).model()).isEqualTo(old);
        byte[] png = TestImages.png(32, 32);
        try (CheckpointCaptioner captioner = CheckpointCaptioner.load(summary.checkpoint(), null)) {
            assertThat(captioner.languages()).containsExactlyElementsOf(OLD_PRESET_LANGUAGES);
            int vocab = tokenizer.vocabSize();
            assertThat(captioner.caption(png, "ja").promptId()).isEqualTo(vocab + 8);
            assertThat(captioner.caption(png, "ko").promptId()).isEqualTo(vocab + 10);
            assertThat(captioner.caption(png, "ja").tokenIds())
                    .isEqualTo(captioner.caption(png, "ja").tokenIds());
        }
    }

    @Test
    void promptsAndTeacherForcingLayout() {
        ModelConfig config = micro(false);
        assertThat(CaptionPrompts.promptId(config, "en")).isEqualTo(11);
        assertThat(CaptionPrompts.promptId(config, "DE")).isEqualTo(12);
        assertThat(CaptionPrompts.promptId(config, "de-CH")).isEqualTo(12);
        assertThat(CaptionPrompts.promptId(config, "fr")).isEqualTo(13);
        assertThat(CaptionPrompts.promptId(config, null)).isEqualTo(13);
        int[] ids = {5, 6, 7, 1, 0, 0, 3, 1, 0, 0, 0, 0};
        float[] mask = {1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
        CaptionPrompts.TeacherForcing tf =
                CaptionPrompts.teacherForcing(config, ids, mask, List.of("de", "xx"));
        assertThat(tf.inputs()).containsExactly(12, 5, 6, 7, 1, 0, 13, 3, 1, 0, 0, 0);
        assertThat(tf.targets()).containsExactly(ids);
        assertThat(tf.targetMask()).containsExactly(mask);
    }

    @Test
    void theCausalMaskHidesTheFuture() {
        ModelConfig config = micro(false);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CaptionerModel model = CaptionerModel.create(config, manager, 3);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray images = manager.create(images(2, 16, 1), new Shape(2, 3, 16, 16));
            NDArray tokens = model.imageTokens(ps, images, false);
            int[] ids = {11, 4, 5, 6, 7, 8, 12, 9, 3, 2, 5, 6};
            float[] before = logits(model, ps, manager, tokens, ids);
            int t = 2;
            int[] changed = ids.clone();
            changed[t + 1] = 10; // sample 0, position t + 1
            changed[6 + t + 1] = 10; // sample 1
            float[] after = logits(model, ps, manager, tokens, changed);
            int vocab = config.vocabSize();
            for (int b = 0; b < 2; b++) {
                for (int pos = 0; pos < 6; pos++) {
                    float[] x = slice(before, (b * 6 + pos) * vocab, vocab);
                    float[] y = slice(after, (b * 6 + pos) * vocab, vocab);
                    if (pos <= t) {
                        assertThat(y).as("b %d pos %d", b, pos).containsExactly(x, within(1e-6f));
                    } else {
                        assertThat(maxDiff(x, y)).as("b %d pos %d", b, pos).isGreaterThan(1e-5);
                    }
                }
            }
        }
    }

    @Test
    void teacherForcedLossMatchesAFloat64Reference() {
        ModelConfig config = micro(false);
        float[] images = images(2, 16, 7);
        int[] ids = {5, 6, 7, 1, 0, 0, 3, 4, 9, 10, 2, 1};
        float[] mask = {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
        List<String> langs = List.of("de", "xx");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CaptionerModel model = CaptionerModel.create(config, manager, 5);
            ParameterStore ps = new ParameterStore(manager, false);
            Float64Captioner reference = new Float64Captioner(config, named(model));
            NDArray in = manager.create(images, new Shape(2, 3, 16, 16));
            NDArray tokens = model.imageTokens(ps, in, false);
            float loss =
                    CaptionStep.captionLoss(model, ps, manager, tokens, ids, mask, langs, false)
                            .getFloat();
            double expected = reference.loss(images, ids, mask, langs);
            assertThat((double) loss).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
            // And the logits themselves, position by position.
            CaptionPrompts.TeacherForcing tf =
                    CaptionPrompts.teacherForcing(config, ids, mask, langs);
            float[] logits = logits(model, ps, manager, tokens, tf.inputs());
            double[][] ref =
                    reference.logits(
                            reference.imageTokens(java.util.Arrays.copyOf(images, 3 * 16 * 16)),
                            java.util.Arrays.copyOf(tf.inputs(), 6));
            for (int t = 0; t < 6; t++) {
                for (int v = 0; v < config.vocabSize(); v++) {
                    assertThat((double) logits[t * config.vocabSize() + v])
                            .isCloseTo(ref[t][v], within(1e-5));
                }
            }
        }
    }

    @Test
    void float64ErfIsErf() {
        assertThat(Float64Captioner.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-15));
        assertThat(Float64Captioner.erf(-2)).isCloseTo(-0.9953222650189527, within(1e-15));
    }

    @Test
    void withoutThePairwiseLossOnlyTheImagePatchesAndDecoderTrain() {
        ModelConfig config = micro(false);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CaptionerModel model = CaptionerModel.create(config, manager, 3);
            for (Pair<String, Parameter> p : model.getParameters()) {
                String name = strip(p.getKey());
                boolean trained =
                        name.startsWith("decoder_")
                                || (name.startsWith("towers_image_")
                                        && !name.startsWith("towers_image_projection"));
                assertThat(p.getValue().requiresGradient()).as(name).isEqualTo(trained);
            }
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            CaptionerModel model = CaptionerModel.create(micro(true), manager, 3);
            assertThat(model.getParameters().values()).allMatch(Parameter::requiresGradient);
        }
    }

    @Test
    void greedyDecodingIsDeterministic() {
        ModelConfig config = micro(false);
        float[] images = images(3, 16, 11);
        List<String> langs = List.of("en", "de", "fr");
        int[][] first;
        try (TrainingSession session =
                TrainingSession.create(config, OptimizerConfig.defaults(), 9)) {
            first = session.caption(images, 3, langs, 1);
            assertThat(session.caption(images, 3, langs, 1)).isDeepEqualTo(first);
        }
        try (TrainingSession again =
                TrainingSession.create(config, OptimizerConfig.defaults(), 9)) {
            assertThat(again.caption(images, 3, langs, 1)).isDeepEqualTo(first);
        }
        for (int[] caption : first) {
            assertThat(caption.length).isLessThanOrEqualTo(config.decoder().maxLength());
            assertThat(caption).doesNotContain(1);
        }
    }

    @Test
    void aRestoredCaptionerTakesExactlyTheSameNextStep() throws Exception {
        for (boolean contrastive : new boolean[] {false, true}) {
            ByteTokenizer tokenizer = new ByteTokenizer(32);
            ModelConfig config =
                    ModelConfig.preset("captioner-tiny", tokenizer.vocabSize()).toBuilder()
                            .decoder(
                                    ModelConfig.preset("captioner-tiny", 1)
                                            .decoder()
                                            .withContrastive(contrastive))
                            .build();
            List<TrainingBatch> batches =
                    SyntheticExamples.batches(
                            SyntheticExamples.generate(8 * 4, 4, 32, tokenizer),
                            8,
                            config,
                            tokenizer.eosId());
            OptimizerConfig optimizer = OptimizerConfig.defaults();
            Path folder = temp.resolve("ckpt-" + contrastive);
            float referenceLoss;
            Map<String, float[]> referenceParams;
            try (TrainingSession session = TrainingSession.create(config, optimizer, 1)) {
                for (int i = 0; i < 3; i++) {
                    session.step(batches.get(i));
                }
                session.save(folder);
                referenceLoss = session.step(batches.get(3)).loss();
                referenceParams = named(session.captioner());
            }
            try (TrainingSession restored = TrainingSession.restore(config, optimizer, folder)) {
                assertThat(restored.steps()).isEqualTo(3);
                assertThat(restored.step(batches.get(3)).loss()).isEqualTo(referenceLoss);
                Map<String, float[]> params = named(restored.captioner());
                assertThat(params.keySet()).containsExactlyElementsOf(referenceParams.keySet());
                params.forEach(
                        (name, values) ->
                                assertThat(values)
                                        .as(name)
                                        .containsExactly(referenceParams.get(name)));
                assertThat(restored.hasEmbeddings()).isEqualTo(contrastive);
            }
        }
    }

    private static float[] logits(
            CaptionerModel model, ParameterStore ps, NDManager m, NDArray tokens, int[] ids) {
        int batch = Math.toIntExact(tokens.getShape().get(0));
        try (NDManager scope = m.newSubManager()) {
            NDArray input = scope.create(ids, new Shape(batch, ids.length / batch));
            return model.logits(ps, tokens, input, false).toFloatArray();
        }
    }

    static Map<String, float[]> named(CaptionerModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            out.put(strip(p.getKey()), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** DJL numbers child blocks ("01towers_02image_.."); the reference names them plainly. */
    static String strip(String key) {
        return key.replaceAll("(^|_)\\d\\d(?=[a-z])", "$1");
    }

    private static float[] slice(float[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
