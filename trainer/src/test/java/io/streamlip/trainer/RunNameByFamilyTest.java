package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.clippo.TestFont;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.limoe.RoutingStats;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose name the user did not set names its checkpoints, and the model updates announcing
 * them, after its model's family; only a LIMoE run's summary carries routing.
 */
@Tag("integration")
class RunNameByFamilyTest {
    private static final int BATCH = 8;

    @TempDir Path temp;

    private final Map<String, TrainingSummary> summaries = new HashMap<>();

    @Test
    void eachFamilyNamesItsCheckpointsAfterItselfAndOnlyLimoeSumsUpRouting() throws Exception {
        ModelConfig clippo = LearningFixture.model("clippo-tiny");
        List<TrainingBatch> rendered =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(BATCH, 3),
                                clippo.imageSize(),
                                LearningFixture.TOKENIZER,
                                ClippoRendering.open(TestFont.write(temp.resolve("font")))),
                        BATCH,
                        clippo,
                        LearningFixture.TOKENIZER.eosId());
        assertThat(oneStep(clippo, rendered, "clippo").modelVersion())
                .isEqualTo("clippo/step-00000001");

        ModelConfig limoe = LearningFixture.model("limoe-tiny");
        TrainingState limoeState =
                oneStep(limoe, LearningFixture.batches(limoe, BATCH, 1), "limoe");
        assertThat(limoeState.modelVersion()).isEqualTo("limoe/step-00000001");
        assertThat(limoeState.trainer().path("runName").asText()).isEqualTo("limoe");
        // The summary's routing is the last step's, which the final checkpoint also holds.
        RoutingStats routing = summaries.get("limoe").routing();
        assertThat(routing).isNotNull();
        assertThat(routing.blocks()).isNotEmpty();
        assertThat(routing.metrics().keySet()).isEqualTo(limoeState.routing().keySet());
        assertThat(summaries.get("clippo").routing()).isNull();

        ModelConfig captioner = LearningFixture.model("captioner-tiny");
        assertThat(
                        oneStep(captioner, LearningFixture.batches(captioner, BATCH, 1), "cap")
                                .modelVersion())
                .isEqualTo("captioner/step-00000001");
        assertThat(summaries.get("cap").routing()).isNull();
    }

    /** One step of {@code model} through the trainer; the state of the checkpoint it announced. */
    private TrainingState oneStep(ModelConfig model, List<TrainingBatch> batches, String folder)
            throws Exception {
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(BATCH)
                        .threads(1)
                        .checkpointDir(temp.resolve(folder))
                        .build();
        List<TrainingState> announced = new ArrayList<>();
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(
                        config,
                        BatchSource.of(batches.iterator()),
                        (path, state) -> announced.add(state))) {
            summary = trainer.run(StopCondition.afterSteps(1));
        }
        summaries.put(folder, summary);
        TrainingState written = CheckpointStore.readState(summary.checkpoint());
        assertThat(announced)
                .extracting(TrainingState::modelVersion)
                .containsExactly(written.modelVersion());
        return written;
    }
}
