package io.streamlip.trainer.limoe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.trainer.LearningFixture;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.Trainer;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny LIMoE trains through the whole trainer on the synthetic stream: the loss falls, retrieval
 * beats chance, and routing reaches the metrics file, the checkpoint and its model update.
 */
@Tag("integration")
class LimoeLearnsTest {
    private static final Logger LOG = LoggerFactory.getLogger(LimoeLearnsTest.class);
    private static final int STEPS = Integer.getInteger("learns.steps", 150);
    private static final int BATCH = 64;

    @TempDir Path temp;

    @Test
    void lossFallsRetrievalBeatsChanceAndRoutingIsReported() throws Exception {
        ModelConfig model = LearningFixture.model("limoe-tiny");
        List<TrainingBatch> stream =
                LearningFixture.stream(LearningFixture.batches(model, BATCH, STEPS / 2), STEPS);
        Path evalFolder = LearningFixture.evalSet(temp.resolve("eval"), 2);
        Path metrics = temp.resolve("metrics.jsonl");
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .optimizer(LearningFixture.optimizer(15, STEPS))
                        .batchSize(BATCH)
                        .threads(1)
                        .seed(5)
                        .logEvery(25)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(STEPS)
                        .runName("limoe")
                        .metricsFile(metrics)
                        .build();
        List<TrainingState> announced = new ArrayList<>();
        CheckpointListener listener = (path, state) -> announced.add(state);
        TrainingSummary summary;
        try (Trainer trainer =
                Trainer.create(config, BatchSource.of(stream.iterator()), listener)) {
            summary = trainer.run(StopCondition.afterSteps(STEPS));
        }
        LOG.info("loss {} -> {}", summary.firstLoss(), summary.lastLoss());
        assertThat(summary.steps()).isEqualTo(STEPS);
        assertThat(summary.lastLoss()).isLessThan(0.5 * summary.firstLoss());

        // As 'streamlip eval' does: the model rebuilt from the checkpoint alone.
        EvalReport after = Evaluator.evaluate(summary.checkpoint(), evalFolder);
        LOG.info("after:\n{}", after.toTable());
        double chance = 1.0 / SyntheticPairs.classCount();
        assertThat(after.mean().zeroshotAcc()).isGreaterThanOrEqualTo(3 * chance);
        assertThat(after.mean().i2tR1()).isGreaterThanOrEqualTo(2 * after.mean().chanceR1());

        // Routing in every logged line, the checkpoint's state and its model update.
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(metrics);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(STEPS / 25);
        for (String line : lines) {
            JsonNode routing = json.readTree(line).path("routing");
            assertThat(routing.path("routing.b1.image.dropped").isNumber()).as(line).isTrue();
            assertThat(routing.path("routing.b1.text.local_entropy").isNumber()).isTrue();
            assertThat(routing.path("routing.b1.text.global_entropy").isNumber()).isTrue();
            double used = 0;
            for (int e = 0; e < model.moe().experts(); e++) {
                used += routing.path("routing.b1.image.expert" + e).asDouble();
            }
            assertThat(used + routing.path("routing.b1.image.dropped").asDouble())
                    .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        }
        TrainingState state = CheckpointStore.readState(summary.checkpoint());
        assertThat(state.model()).isEqualTo(model);
        assertThat(state.routing()).containsKey("routing.b1.text.expert0");
        assertThat(announced).isNotEmpty();
        assertThat(
                        ModelUpdatePublisher.toRecord(summary.checkpoint(), announced.get(0))
                                .getRouting())
                .containsKey("routing.aux_loss");
    }
}
