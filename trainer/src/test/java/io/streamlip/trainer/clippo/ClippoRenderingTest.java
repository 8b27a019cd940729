package io.streamlip.trainer.clippo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.data.DecodedExample;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer renders evaluation texts into exactly the pixels the tokenize job trains on. */
class ClippoRenderingTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig TINY =
            ModelConfig.preset("clippo-tiny", TOKENIZER.vocabSize());
    private static final Instant CRAWLED = Instant.parse("2025-03-04T05:06:07Z");

    @TempDir Path dir;

    private static CuratedPair curated(RawPair raw, String caption, String lang) {
        return CuratedPair.newBuilder()
                .setPair(RawPair.newBuilder(raw).setCrawlTime(CRAWLED).build())
                .setCaption(caption)
                .setLang(lang)
                .setImageFormat("png")
                .setImageWidth(0)
                .setImageHeight(0)
                .setImageSha256("")
                .setCuratedTime(CRAWLED.plusSeconds(1))
                .build();
    }

    /** The tokenize job's example of {@code caption}, as the bytes on the examples topic. */
    private static byte[] trainExample(TextRenderConfig font, String caption, String lang) {
        TokenizeConfig config =
                TokenizeConfig.builder().imageSize(TINY.imageSize()).render(font).build();
        RawPair raw = new SyntheticPairs(64).pairs(1, 9).next();
        ExampleBuilder builder = new ExampleBuilder(config);
        builder.open();
        try {
            Example example = builder.build(curated(raw, caption, lang)).value();
            return AvroSerde.of(Example.class).encode(example);
        } finally {
            builder.close();
        }
    }

    @Test
    void trainTimeAndEvalTimeRenderingsOfACaptionAreIdentical() throws Exception {
        TextRenderConfig font = TestFont.write(dir.resolve("font"));
        ExampleDecoder decoder = new ExampleDecoder(TINY.imageSize(), TINY.vocabSize(), null, true);
        Path evalFolder = dir.resolve("eval");
        List<String> captions =
                List.of("Triangle de couleur jaune", "a red circle", "黄色的圆形", "Kreis in Rot");
        try (PairsFolder.Writer out = new PairsFolder.Writer(evalFolder)) {
            ByteBuffer png = new SyntheticPairs(64).pairs(1, 9).next().getImage().duplicate();
            byte[] bytes = new byte[png.remaining()];
            png.get(bytes);
            String image = out.image("one.png", bytes);
            for (String caption : captions) {
                out.add(new PairsFolder.Entry(image, caption, "und", "label"));
            }
        }
        ClippoRendering rendering = ClippoRendering.open(font);
        EvalSet eval = EvalSet.load(evalFolder, TINY, null, rendering);
        assertThat(eval.rendered()).isTrue();
        // And as a checkpoint keeps it (settings and font copied), for `streamlip eval`.
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        rendering.save(checkpoint);
        List<DecodedExample> trainedExamples = new ArrayList<>();
        for (String caption : captions) {
            trainedExamples.add(decoder.decode(trainExample(font, caption, "und")));
        }
        Files.delete(Path.of(font.fontFile())); // the copy alone must suffice
        EvalSet fromCheckpoint =
                EvalSet.load(evalFolder, TINY, null, ClippoRendering.fromCheckpoint(checkpoint));

        int plane = TINY.imageSize() * TINY.imageSize();
        for (int p = 0; p < captions.size(); p++) {
            DecodedExample trained = trainedExamples.get(p);
            byte[] train = trained.renderedText();
            assertThat(train).hasSize(plane);
            long ink = 0;
            for (byte b : train) {
                ink += b == 0 ? 1 : 0;
            }
            assertThat(ink).as("ink of " + captions.get(p)).isGreaterThan(20);
            assertThat(eval.renderedText(p)).as(captions.get(p)).isEqualTo(train);
            assertThat(fromCheckpoint.renderedText(p)).as(captions.get(p)).isEqualTo(train);
            // The model's input: the batch layout of training equals the evaluator's.
            float[] batch =
                    TrainingBatch.of(List.of(trained), TINY, TOKENIZER.eosId(), Map.of())
                            .renderedTexts();
            float[] evaluated = new float[3 * plane];
            ClippoRendering.putRendered(eval.renderedText(p), TINY.imageSize(), evaluated, 0);
            assertThat(evaluated).containsExactly(batch);
        }
        assertThat(eval.renderedText(0)).isNotEqualTo(eval.renderedText(1));
    }

    @Test
    void aClippoTrainerRefusesExamplesWithoutARenderedCaption() throws Exception {
        RawPair raw = new SyntheticPairs(64).pairs(1, 9).next();
        Example plain =
                new ExampleBuilder(TokenizeConfig.builder().imageSize(TINY.imageSize()).build())
                        .build(curated(raw, "a red circle", "en"))
                        .value();
        byte[] bytes = AvroSerde.of(Example.class).encode(plain);
        assertThat(new ExampleDecoder(TINY.imageSize(), TINY.vocabSize(), null).decode(bytes))
                .isNotNull();
        assertThatThrownBy(
                        () ->
                                new ExampleDecoder(TINY.imageSize(), TINY.vocabSize(), null, true)
                                        .decode(bytes))
                .isInstanceOfSatisfying(
                        ExampleDecoder.InvalidExampleException.class,
                        e ->
                                assertThat(e.reason())
                                        .isEqualTo(ExampleDecoder.Refusal.NO_RENDERED_TEXT))
                .hasMessageContaining("--render-text");
    }

    @Test
    void theTrainerConfigTiesRenderingToClippo() {
        TextRenderConfig font = TestFont.write(dir);
        TrainerConfig.Builder clippo =
                TrainerConfig.builder().tokenizerAndModelVocabulary(TOKENIZER).model(TINY);
        assertThat(clippo.render(font).evalSet(dir).build().render()).isEqualTo(font);
        assertThatThrownBy(() -> clippo.render(null).evalSet(dir).build())
                .hasMessageContaining("CLIPPO")
                .hasMessageContaining("render");
        ModelConfig twoTowers = TINY.toBuilder().family(ModelFamily.TWO_TOWER).build();
        assertThatThrownBy(() -> clippo.model(twoTowers).evalSet(null).render(font).build())
                .hasMessageContaining("goes with a CLIPPO model");
    }
}
