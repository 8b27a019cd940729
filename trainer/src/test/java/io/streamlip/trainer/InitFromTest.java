package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.hf.HfSiglip;
import io.streamlip.trainer.hf.SiglipNames;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.SiglipModel;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --init-from}: a new run starts from a checkpoint's parameters (e.g. an import). */
@Tag("integration")
class InitFromTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    @Test
    @Timeout(300)
    void aNewRunStartsFromTheCheckpointsParameters(@TempDir Path dir) throws Exception {
        ModelConfig model = SiglipNames.hfLayout(ModelConfig.tiny(TOKENIZER.vocabSize()));
        Path source;
        try (NDManager manager = NDManager.newBaseManager()) {
            source =
                    HfSiglip.writeCheckpoint(
                            SiglipModel.create(model, manager, 99),
                            TOKENIZER,
                            dir.resolve("src"),
                            "test");
        }
        TrainingBatch batch =
                SyntheticExamples.batches(
                                SyntheticExamples.generate(8, 4, model.imageSize(), TOKENIZER),
                                8,
                                model,
                                TOKENIZER.eosId())
                        .get(0);
        float expected;
        float fresh;
        try (TrainingSession s = TrainingSession.create(model, OptimizerConfig.defaults(), 42)) {
            fresh = s.loss(batch);
            s.loadParameters(source.resolve(TrainingSession.PARAMETERS_FILE));
            expected = s.loss(batch);
        }
        assertThat(Math.abs(expected - fresh)).isGreaterThan(1e-3f);
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .tokenizer(TOKENIZER)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(dir.resolve("run"))
                        .checkpointEvery(1000)
                        .pollTimeout(Duration.ofMillis(50))
                        .initFrom(dir.resolve("src"))
                        .build();
        BatchSource one = wait -> Optional.of(batch);
        try (Trainer trainer = Trainer.create(config, one, CheckpointListener.none())) {
            TrainingSummary summary = trainer.run(StopCondition.afterSteps(1));
            assertThat(summary.firstLoss()).isCloseTo(expected, within(1e-4));
        }

        TrainerConfig otherShape =
                config.toBuilder()
                        .model(ModelConfig.tiny(TOKENIZER.vocabSize()))
                        .checkpointDir(dir.resolve("run2"))
                        .build();
        try (Trainer trainer = Trainer.create(otherShape, one, CheckpointListener.none())) {
            assertThatThrownBy(() -> trainer.run(StopCondition.afterSteps(1)))
                    .hasStackTraceContaining("is not this run's");
        }
    }
}
