package io.streamlip.trainer.caption;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.CaptionReport;
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
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.preset("captioner-tiny", tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(BATCH * STEPS / 2, 11, 32, tokenizer),
                        BATCH,
                        model,
                        tokenizer.eosId());
        Path evalFolder = temp.resolve("eval");
        new SyntheticPairs().writeEvalSet(evalFolder, 1, 99);
        EvalSet eval = EvalSet.load(evalFolder, model, tokenizer);
        OptimizerConfig optimizer =
                OptimizerConfig.builder().warmupSteps(10).scheduleSteps(STEPS).build();
        List<Float> losses = new ArrayList<>();
        try (TrainingSession session = TrainingSession.create(model, optimizer, 5)) {
            long t0 = System.nanoTime();
            for (int step = 0; step < STEPS; step++) {
                losses.add(session.step(batches.get(step % batches.size())).loss());
            }
            LOG.info("{} steps in {} ms", STEPS, (System.nanoTime() - t0) / 1_000_000);
            EvalReport after = Evaluator.evaluate(session, eval);
            LOG.info("after:\n{}", after.toTable());
            double first = mean(losses.subList(0, 10));
            double last = mean(losses.subList(STEPS - 10, STEPS));
            LOG.info("loss {} -> {}", first, last);
            assertThat(last).isLessThan(0.5 * first);
            CaptionReport captions = after.captions();
            assertThat(captions.languages()).containsOnlyKeys(SyntheticPairs.LANGUAGES);
            captions.languages().values().forEach(m -> assertThat(m.n()).isEqualTo(48));
        }
    }

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
    }
}
