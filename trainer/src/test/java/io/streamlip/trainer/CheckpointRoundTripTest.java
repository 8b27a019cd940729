package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class CheckpointRoundTripTest {
    private static final int K = 4;

    @TempDir Path temp;

    @Test
    void aRestoredSessionTakesExactlyTheSameNextStep() throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(16 * (K + 2), 4, 32, tokenizer),
                        16,
                        model,
                        tokenizer.eosId());
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(16)
                        .threads(1)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(1000)
                        .keepCheckpoints(2)
                        .runName("roundtrip")
                        .build();

        // The trainer takes K steps and checkpoints when it stops.
        List<TrainingState> announced = new ArrayList<>();
        CheckpointListener listener = (path, state) -> announced.add(state);
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(
                        config, BatchSource.of(batches.subList(0, K).iterator()), listener)) {
            summary = trainer.run(StopCondition.afterSteps(K));
        }
        assertThat(summary.steps()).isEqualTo(K);
        assertThat(summary.reason()).isEqualTo(StopCondition.Reason.STEPS);
        Path checkpoint = summary.checkpoint();
        assertThat(checkpoint.getFileName().toString()).isEqualTo("step-00000004");
        assertThat(checkpoint.resolve(TrainingSession.PARAMETERS_FILE)).isRegularFile();
        assertThat(checkpoint.resolve(TrainingSession.OPTIMIZER_FILE)).isRegularFile();
        TrainingState state = CheckpointStore.readState(checkpoint);
        assertThat(state.step()).isEqualTo(K);
        assertThat(state.examplesSeen()).isEqualTo(16L * K);
        assertThat(state.model()).isEqualTo(model);
        assertThat(state.tokenizerVersion()).isEqualTo("bytes-v1");
        assertThat(state.modelVersion()).isEqualTo("roundtrip/step-00000004");
        assertThat(state.loss().firstMean()).isEqualTo(summary.firstLoss());
        // The run's whole configuration, for the record: every component by name.
        for (RecordComponent c : TrainerConfig.class.getRecordComponents()) {
            assertThat(state.trainer().has(c.getName())).as(c.getName()).isTrue();
        }
        assertThat(state.trainer().path("batchSize").asInt()).isEqualTo(16);
        assertThat(state.trainer().path("tokenizer").asText()).isEqualTo("bytes-v1");
        assertThat(state.trainer().path("checkpointDir").asText())
                .isEqualTo(config.checkpointDir().toAbsolutePath().toString());
        assertThat(state.trainer().path("metricsFile").asText())
                .isEqualTo(config.resolvedMetricsFile().toAbsolutePath().toString());
        assertThat(announced).extracting(TrainingState::step).containsExactly((long) K);
        try (var files = Files.list(config.checkpointDir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactly("step-00000004"); // no temporary folder left behind
        }

        // Reference: the same K steps in one session, then step K+1.
        TrainingBatch next = batches.get(K);
        float referenceLoss;
        Map<String, float[]> referenceParams;
        try (TrainingSession session =
                TrainingSession.create(model, config.optimizer(), config.seed())) {
            for (int i = 0; i < K; i++) {
                session.step(batches.get(i));
            }
            referenceLoss = session.step(next).loss();
            referenceParams = parameters(session);
        }
        // Restored from the checkpoint: the same loss and the same parameters after the step.
        try (TrainingSession restored =
                TrainingSession.restore(model, config.optimizer(), checkpoint)) {
            assertThat(restored.steps()).isEqualTo(K);
            TrainingSession.StepResult result = restored.step(next);
            assertThat(result.step()).isEqualTo(K + 1);
            assertThat(result.loss()).isEqualTo(referenceLoss);
            Map<String, float[]> params = parameters(restored);
            assertThat(params.keySet()).containsExactlyElementsOf(referenceParams.keySet());
            params.forEach(
                    (name, values) ->
                            assertThat(values).as(name).containsExactly(referenceParams.get(name)));
        }

        // A new trainer on the same folder resumes at step K and continues the count.
        try (Trainer resumed =
                Trainer.create(config, BatchSource.of(List.of(next).iterator()), listener)) {
            TrainingSummary more = resumed.run(StopCondition.afterSteps(1));
            assertThat(more.steps()).isEqualTo(1);
            assertThat(more.globalStep()).isEqualTo(K + 1);
            assertThat(more.examplesSeen()).isEqualTo(16L * (K + 1));
            assertThat(more.firstLoss()).isEqualTo(referenceLoss);
        }
        assertThat(new CheckpointStore(config.checkpointDir(), 2).checkpoints())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("step-00000004", "step-00000005");
    }

    private static Map<String, float[]> parameters(TrainingSession session) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var p : session.model().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
