package io.streamlip.trainer;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the learning tests of every family share ({@code TrainerLearnsTest}, {@code
 * ClippoTrainingTest}, {@code LimoeLearnsTest}, {@code CaptionerLearnsTest}): the byte tokenizer,
 * the synthetic shapes-and-colours stream and its held-out set, the schedule, and a loop that
 * trains a session and keeps each step's loss.
 */
public final class LearningFixture {
    private static final Logger LOG = LoggerFactory.getLogger(LearningFixture.class);

    /** The tokenizer of every learning test. */
    public static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);

    /** Steps of the first and last stretch whose mean losses are compared. */
    public static final int EDGE = 10;

    private LearningFixture() {}

    /** The preset {@code name} over the tokenizer's ids. */
    public static ModelConfig model(String name) {
        return ModelConfig.preset(name, TOKENIZER.vocabSize());
    }

    /**
     * {@code count} batches of {@code size} synthetic examples (seed 11, images at 32 px) tokenized
     * for {@code model}.
     */
    public static List<TrainingBatch> batches(ModelConfig model, int size, int count) {
        return SyntheticExamples.batches(
                SyntheticExamples.generate(size * count, 11, 32, TOKENIZER),
                size,
                model,
                TOKENIZER.eosId());
    }

    /** {@code batches} repeated in order until there are {@code steps}: a stream to train on. */
    public static List<TrainingBatch> stream(List<TrainingBatch> batches, int steps) {
        List<TrainingBatch> out = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            out.add(batches.get(i % batches.size()));
        }
        return out;
    }

    /** The synthetic held-out set (seed 99, {@code perClass} images a class) in {@code folder}. */
    public static Path evalSet(Path folder, int perClass) {
        new SyntheticPairs().writeEvalSet(folder, perClass, 99);
        return folder;
    }

    /** AdamW warming up for {@code warmup} steps of a {@code steps}-step schedule. */
    public static OptimizerConfig optimizer(int warmup, int steps) {
        return OptimizerConfig.builder().warmupSteps(warmup).scheduleSteps(steps).build();
    }

    /**
     * Trains {@code session} {@code steps} steps over {@code batches} in turn; each step's loss.
     */
    public static List<Float> train(
            TrainingSession session, List<TrainingBatch> batches, int steps) {
        List<Float> losses = new ArrayList<>(steps);
        long t0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
            losses.add(session.step(batches.get(step % batches.size())).loss());
        }
        LOG.info(
                "{} {} steps in {} ms",
                steps,
                session.config().name(),
                (System.nanoTime() - t0) / 1_000_000);
        return losses;
    }

    /** The mean loss of the first {@link #EDGE} steps. */
    public static double firstMean(List<Float> losses) {
        return mean(losses.subList(0, EDGE));
    }

    /** The mean loss of the last {@link #EDGE} steps. */
    public static double lastMean(List<Float> losses) {
        return mean(losses.subList(losses.size() - EDGE, losses.size()));
    }

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
    }
}
