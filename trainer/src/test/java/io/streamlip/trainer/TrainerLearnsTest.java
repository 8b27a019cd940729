package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole model learns the synthetic shapes-and-colours task, far above chance. */
@Tag("integration")
class TrainerLearnsTest {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerLearnsTest.class);
    private static final int STEPS = Integer.getInteger("learns.steps", 150);
    private static final int BATCH = 64;

    @TempDir Path temp;

    @Test
    void lossFallsAndRetrievalBeatsChance() {
        ModelConfig model = LearningFixture.model("tiny");
        List<TrainingBatch> batches = LearningFixture.batches(model, BATCH, STEPS / 2);
        EvalSet eval =
                EvalSet.load(
                        LearningFixture.evalSet(temp.resolve("eval"), 2),
                        model,
                        LearningFixture.TOKENIZER);
        try (TrainingSession session =
                TrainingSession.create(model, LearningFixture.optimizer(15, STEPS), 5)) {
            EvalReport before = Evaluator.evaluate(session, eval);
            List<Float> losses = LearningFixture.train(session, batches, STEPS);
            EvalReport after = Evaluator.evaluate(session, eval);
            LOG.info("before:\n{}after:\n{}", before.toTable(), after.toTable());
            LOG.info("t {} b {}", session.temperature(), session.bias());

            assertThat(LearningFixture.lastMean(losses))
                    .isLessThan(0.5 * LearningFixture.firstMean(losses));
            double chance = 1.0 / SyntheticPairs.classCount();
            assertThat(after.mean().zeroshotAcc()).isGreaterThanOrEqualTo(5 * chance);
            assertThat(after.mean().i2tR1()).isGreaterThanOrEqualTo(3 * after.mean().chanceR1());
            assertThat(after.mean().t2iR5()).isGreaterThan(before.mean().t2iR5());
        }
    }
}
