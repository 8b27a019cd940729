package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.tokenize.subword.BpeTrainer;
import io.streamlip.tokenize.subword.LanguageSample;
import io.streamlip.tokenize.subword.TokenizerJson;
import io.streamlip.tokenize.subword.TrainingCaptions;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.score.CheckpointPairScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained subword tokenizer through the trainer: the model's vocabulary is the tokenizer's, the
 * held-out set is encoded with it during training, every checkpoint carries a copy, evaluation and
 * the scorer rebuild it from the checkpoint alone, and resuming with another tokenizer fails.
 */
class SubwordTokenizerTrainingTest {
    private static final int BATCH = 8;

    @TempDir Path temp;

    @Test
    @Tag("integration")
    void aCheckpointCarriesItsSubwordTokenizer() throws Exception {
        Path evalSet = temp.resolve("eval");
        new SyntheticPairs().writeEvalSet(evalSet, 1, 5);
        LanguageSample sample = BpeTrainer.Config.defaults().newSample();
        TrainingCaptions.fromFolder(evalSet, sample);
        Path file = temp.resolve("tokenizer.json");
        Files.write(
                file,
                TokenizerJson.write(
                        new BpeTrainer(BpeTrainer.Config.builder().vocabSize(300).build())
                                .train(sample)));
        CaptionTokenizer tokenizer = Tokenizers.load(file.toString(), 32);
        assertThat(tokenizer.vocabSize()).isGreaterThan(258);

        TrainerConfig config =
                TrainerConfig.builder()
                        .model(ModelConfig.tiny(258))
                        .tokenizerAndModelVocabulary(tokenizer)
                        .batchSize(BATCH)
                        .threads(1)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(100)
                        .keepCheckpoints(2)
                        .evalSet(evalSet)
                        .build();
        assertThat(config.model().vocabSize()).isEqualTo(tokenizer.vocabSize());
        assertThat(config.tokenizerVersion()).isEqualTo(tokenizer.version());

        List<TrainingState> announced = new ArrayList<>();
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(
                        config,
                        BatchSource.of(
                                SyntheticExamples.batches(
                                                SyntheticExamples.generate(
                                                        2 * BATCH, 3, 32, tokenizer),
                                                BATCH,
                                                config.model(),
                                                tokenizer.eosId())
                                        .iterator()),
                        (path, state) -> announced.add(state))) {
            summary = trainer.run(StopCondition.afterSteps(2));
        }
        Path checkpoint = summary.checkpoint();
        TrainingState state = CheckpointStore.readState(checkpoint);
        assertThat(state.tokenizerVersion()).isEqualTo(tokenizer.version());
        assertThat(state.model().vocabSize()).isEqualTo(tokenizer.vocabSize());
        assertThat(checkpoint.resolve(Tokenizers.FILE)).hasSameBinaryContentAs(file);
        // Evaluated during training with the subword tokenizer.
        assertThat(announced).hasSize(1);
        assertThat(announced.get(0).eval()).containsKeys("i2t_r1", "zeroshot_acc");

        // Rebuilt from the checkpoint alone: the same ids for every held-out caption.
        CaptionTokenizer rebuilt = CheckpointStore.tokenizer(config.checkpointDir());
        assertThat(rebuilt.version()).isEqualTo(tokenizer.version());
        for (PairsFolder.Entry e : PairsFolder.read(evalSet)) {
            assertThat(rebuilt.encode(e.text())).containsExactly(tokenizer.encode(e.text()));
        }
        // ... so evaluating the checkpoint reproduces the in-training evaluation.
        EvalReport report = Evaluator.evaluate(checkpoint, evalSet);
        assertThat(report.summary()).isEqualTo(announced.get(0).eval());
        try (CheckpointPairScorer scorer = CheckpointPairScorer.load(checkpoint, null)) {
            assertThat(scorer.modelVersion()).isEqualTo(state.modelVersion());
        }

        // Another tokenizer for this checkpoint is refused, by evaluation and by the trainer.
        assertThatThrownBy(() -> Evaluator.evaluate(checkpoint, evalSet, new ByteTokenizer(32)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tokenizer.version())
                .hasMessageContaining("not bytes-v1");
        TrainerConfig bytes =
                config.toBuilder()
                        .tokenizerAndModelVocabulary(new ByteTokenizer(32))
                        .model(ModelConfig.tiny(258))
                        .build();
        try (Trainer trainer =
                Trainer.create(
                        bytes, BatchSource.of(List.<TrainingBatch>of().iterator()), (p, s) -> {})) {
            assertThatThrownBy(() -> trainer.run(StopCondition.afterSteps(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was trained with tokenizer " + tokenizer.version())
                    .hasMessageContaining("configured with bytes-v1");
        }
    }

    @Test
    void aModelTooSmallForTheTokenizerIsRefused() throws Exception {
        Path file = temp.resolve("t.json");
        Files.write(
                file,
                TokenizerJson.write(
                        new BpeTrainer(BpeTrainer.Config.builder().vocabSize(270).build())
                                .train(List.of("red circle", "red circle", "blue square"))));
        CaptionTokenizer tokenizer = Tokenizers.load(file.toString(), 32);
        TrainerConfig config =
                TrainerConfig.builder().tokenizerAndModelVocabulary(tokenizer).build();
        assertThatThrownBy(() -> config.toBuilder().model(ModelConfig.tiny(258)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smaller than the tokenizer's");
    }
}
