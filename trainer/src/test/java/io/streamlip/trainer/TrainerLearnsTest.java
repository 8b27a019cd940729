package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.eval.EvalSet;
import io.streamlip.trainer.eval.Evaluator;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
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
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(BATCH * STEPS / 2, 11, 32, tokenizer),
                        BATCH,
                        model,
                        tokenizer.eosId());
        Path evalFolder = temp.resolve("eval");
        new SyntheticPairs().writeEvalSet(evalFolder, 2, 99);
        EvalSet eval = EvalSet.load(evalFolder, model, tokenizer);

        OptimizerConfig optimizer =
                OptimizerConfig.builder().warmupSteps(15).scheduleSteps(STEPS).build();
        List<Float> losses = new ArrayList<>();
        try (TrainingSession session = TrainingSession.create(model, optimizer, 5)) {
            EvalReport before = Evaluator.evaluate(session, eval);
            long t0 = System.nanoTime();
            for (int step = 0; step < STEPS; step++) {
                losses.add(session.step(batches.get(step % batches.size())).loss());
            }
            LOG.info("{} steps in {} ms", STEPS, (System.nanoTime() - t0) / 1_000_000);
            EvalReport after = Evaluator.evaluate(session, eval);
            LOG.info("before:\n{}after:\n{}", before.toTable(), after.toTable());
            LOG.info("t {} b {}", session.temperature(), session.bias());

            double first = mean(losses.subList(0, 10));
            double last = mean(losses.subList(STEPS - 10, STEPS));
            assertThat(last).isLessThan(0.5 * first);
            double chance = 1.0 / SyntheticPairs.classCount();
            assertThat(after.mean().zeroshotAcc()).isGreaterThanOrEqualTo(5 * chance);
            assertThat(after.mean().i2tR1()).isGreaterThanOrEqualTo(3 * after.mean().chanceR1());
            assertThat(after.mean().t2iR5()).isGreaterThan(before.mean().t2iR5());
        }
    }

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
    }
}
