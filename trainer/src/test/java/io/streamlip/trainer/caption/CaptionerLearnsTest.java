package io.streamlip.trainer.caption;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.trainer.LearningFixture;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.CaptionReport;
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

/** A tiny captioner learns to write the synthetic stream's captions in their languages. */
@Tag("integration")
class CaptionerLearnsTest {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionerLearnsTest.class);
    private static final int STEPS = Integer.getInteger("caption.steps", 120);
    private static final int BATCH = 32;

    @TempDir Path temp;

    @Test
    void lossFallsOnTheSyntheticStream() {
        TrainingSession.setThreads(1);
        ModelConfig model = LearningFixture.model("captioner-tiny");
        List<TrainingBatch> batches = LearningFixture.batches(model, BATCH, STEPS / 2);
        EvalSet eval =
                EvalSet.load(
                        LearningFixture.evalSet(temp.resolve("eval"), 1),
                        model,
                        LearningFixture.TOKENIZER);
        try (TrainingSession session =
                TrainingSession.create(model, LearningFixture.optimizer(10, STEPS), 5)) {
            List<Float> losses = LearningFixture.train(session, batches, STEPS);
            EvalReport after = Evaluator.evaluate(session, eval);
            LOG.info("after:\n{}", after.toTable());
            double first = LearningFixture.firstMean(losses);
            double last = LearningFixture.lastMean(losses);
            LOG.info("loss {} -> {}", first, last);
            assertThat(last).isLessThan(0.5 * first);
            CaptionReport captions = after.captions();
            assertThat(captions.languages()).containsOnlyKeys(SyntheticPairs.LANGUAGES);
            captions.languages().values().forEach(m -> assertThat(m.n()).isEqualTo(48));
        }
    }
}
