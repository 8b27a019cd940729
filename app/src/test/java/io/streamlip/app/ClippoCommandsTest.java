package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.render.BitmapFont;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CLIPPO {@code --model} switches caption rendering on wherever a user runs it. */
class ClippoCommandsTest {
    @TempDir Path dir;

    private Path font() throws Exception {
        return Files.writeString(dir.resolve("font.hex"), "0061:" + "3C".repeat(16) + "\n");
    }

    @Test
    void theDemoRendersForAClippoModelWithoutBeingAsked() throws Exception {
        Path font = font();
        DemoConfig clippo =
                TrainerOptionsTest.demo("--model=clippo-small", "--render-font=" + font);
        assertThat(clippo.trainer().model().family()).isEqualTo(ModelFamily.CLIPPO);
        assertThat(clippo.render()).isNotNull();
        assertThat(clippo.render().fontFile()).isEqualTo(font.toString());
        assertThat(clippo.trainer().render()).isEqualTo(clippo.render());
        var tokenize = Demo.tokenizeConfig(clippo, "bytes");
        assertThat(tokenize.render()).isEqualTo(clippo.render());
        assertThat(tokenize.imageSize()).isEqualTo(48);

        DemoConfig twoTowers = TrainerOptionsTest.demo("--model=small");
        assertThat(twoTowers.render()).isNull();
        assertThat(twoTowers.trainer().render()).isNull();
        // Rendering for a two-tower model still works (the examples carry it), unread.
        DemoConfig rendered = TrainerOptionsTest.demo("--render-text", "--render-font=" + font);
        assertThat(rendered.render()).isNotNull();
        assertThat(rendered.trainer().render()).isNull();

        if (BitmapFont.locate(null) == null) {
            DemoCommandTest.Run noFont =
                    DemoCommandTest.run(
                            "demo", "--model=clippo-small", "--data=" + dir.resolve("empty"));
            assertThat(noFont.code()).isNotZero();
            assertThat(noFont.err()).contains("needs a font");
        }
    }

    @Test
    void submitRendersForAClippoModel() {
        assertThat(SubmitCommandTest.parsed("--model=clippo-small").arguments("tokenize"))
                .containsSubsequence("--render-text", "true")
                .containsSubsequence("--image-size", "48");
        assertThat(SubmitCommandTest.parsed("--model=small").arguments("tokenize"))
                .noneMatch(a -> a.startsWith("--render"));
    }

    @Test
    void trainTakesTheFontItRendersEvaluationTextsWith() throws Exception {
        Path font = font();
        TrainerConfig config =
                TrainerOptionsTest.train(
                        "--checkpoints=" + dir.resolve("ckpt"),
                        "--model=clippo-tiny",
                        "--render-font=" + font,
                        "--eval-set=" + dir);
        assertThat(config.model().family()).isEqualTo(ModelFamily.CLIPPO);
        assertThat(config.render().fontFile()).isEqualTo(font.toString());
        assertThatThrownBy(
                        () ->
                                TrainerOptionsTest.train(
                                        "--checkpoints=" + dir.resolve("ckpt"),
                                        "--model=small",
                                        "--render-font=" + font))
                .hasMessageContaining("--render-font goes with a CLIPPO --model");
        if (BitmapFont.locate(null) == null) {
            assertThatThrownBy(
                            () ->
                                    TrainerOptionsTest.train(
                                            "--checkpoints=" + dir.resolve("ckpt"),
                                            "--model=clippo-tiny",
                                            "--eval-set=" + dir))
                    .hasMessageContaining("--render-font");
        }
    }

    @Test
    void evalRendersACheckpointWrittenWithoutItsFontWithRenderFont() throws Exception {
        Path font = font();
        TextRenderConfig rendering = TextRenderConfig.defaults(font.toString());
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.preset("clippo-tiny", tokenizer.vocabSize());
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(16, 3),
                                model.imageSize(),
                                tokenizer,
                                ClippoRendering.open(rendering)),
                        16,
                        model,
                        tokenizer.eosId());
        // No font configured (a run without --eval-set that found none): none in the checkpoint.
        TrainerConfig config =
                TrainerConfig.builder()
                        .tokenizerAndModelVocabulary(tokenizer)
                        .model(model)
                        .batchSize(16)
                        .threads(1)
                        .checkpointDir(dir.resolve("ckpt"))
                        .runName("clippo")
                        .build();
        Path checkpoint;
        try (Trainer trainer =
                Trainer.create(config, BatchSource.of(batches.iterator()), (p, s) -> {})) {
            checkpoint = trainer.run(StopCondition.afterSteps(1)).checkpoint();
        }
        assertThat(ClippoRendering.isIn(checkpoint)).isFalse();
        Path set = dir.resolve("eval");
        new SyntheticPairs().writeEvalSet(set, 1, 99);

        DemoCommandTest.Run run =
                DemoCommandTest.run(
                        "eval",
                        "--checkpoint=" + checkpoint,
                        "--set=" + set,
                        "--render-font=" + font,
                        "--json");
        assertThat(run.code()).as(run.err()).isZero();
        EvalReport expected =
                Evaluator.evaluateRendered(checkpoint, set, ClippoRendering.open(rendering));
        assertThat(run.out().trim()).isEqualTo(expected.toJson().trim());

        if (BitmapFont.locate(null) == null) {
            DemoCommandTest.Run without =
                    DemoCommandTest.run("eval", "--checkpoint=" + checkpoint, "--set=" + set);
            assertThat(without.code()).isNotZero();
            assertThat(without.err()).contains("--render-font");
        }
    }
}
