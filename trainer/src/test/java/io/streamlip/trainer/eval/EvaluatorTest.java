package io.streamlip.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    @TempDir Path temp;

    @Test
    @Tag("integration")
    void evaluatesACheckpointPerLanguageAndDuringTraining() {
        Path evalSet = temp.resolve("eval");
        new SyntheticPairs().writeEvalSet(evalSet, 1, 5);
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(100)
                        .keepCheckpoints(1)
                        .evalSet(evalSet)
                        .build();
        List<TrainingState> announced = new ArrayList<>();
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(
                        config,
                        BatchSource.of(
                                SyntheticExamples.batches(
                                                SyntheticExamples.generate(16, 1, 32, tokenizer),
                                                8,
                                                model,
                                                1)
                                        .iterator()),
                        (path, state) -> announced.add(state))) {
            summary = trainer.run(StopCondition.afterSteps(2));
        }
        assertThat(announced).hasSize(1);
        assertThat(announced.get(0).eval()).containsKeys("i2t_r1", "t2i_r1", "zeroshot_acc");

        // The folder of checkpoints resolves to its newest one.
        EvalReport report = Evaluator.evaluate(config.checkpointDir(), evalSet);
        assertThat(report.languages()).containsOnlyKeys(SyntheticPairs.LANGUAGES);
        int classes = SyntheticPairs.classCount();
        report.languages()
                .values()
                .forEach(
                        m -> {
                            assertThat(m.n()).isEqualTo(classes);
                            assertThat(m.chanceR1()).isCloseTo(1.0 / classes, within(1e-12));
                            assertThat(m.i2tR10()).isBetween(m.i2tR1(), 1.0);
                        });
        assertThat(report.mean().n()).isEqualTo(6L * classes);
        // The same model on the same set: the in-training summary is the checkpoint's report.
        assertThat(report.summary()).isEqualTo(announced.get(0).eval());
        assertThat(summary.evaluation()).isEqualTo(report);
        assertThat(Evaluator.evaluate(summary.checkpoint(), evalSet).toJson())
                .isEqualTo(report.toJson());
    }

    @Test
    void refusesAFolderWithoutCheckpoints() {
        assertThatThrownBy(() -> Evaluator.evaluate(temp, temp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither a checkpoint");
    }
}
