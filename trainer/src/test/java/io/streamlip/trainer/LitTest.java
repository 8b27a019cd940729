package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locked-image tuning: the image tower from a checkpoint stays bit for bit, the text learns. */
@Tag("integration")
class LitTest {
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig MODEL = ModelConfig.tiny(TOKENIZER.vocabSize());
    private static final int BATCH = 16;

    @TempDir Path temp;

    private static List<TrainingBatch> batches(int count, long seed) {
        return SyntheticExamples.batches(
                SyntheticExamples.generate(BATCH * count, seed, MODEL.imageSize(), TOKENIZER),
                BATCH,
                MODEL,
                TOKENIZER.eosId());
    }

    private TrainerConfig config(String name) {
        return TrainerConfig.builder()
                .model(MODEL)
                .optimizer(
                        OptimizerConfig.builder()
                                .learningRate(2e-3)
                                .warmupSteps(5)
                                .scheduleSteps(200)
                                .build())
                .batchSize(BATCH)
                .threads(1)
                .checkpointDir(temp.resolve(name))
                .checkpointEvery(1000)
                .keepCheckpoints(1)
                .runName(name)
                .pollTimeout(Duration.ofMillis(10))
                .build();
    }

    private static TrainingSummary train(
            TrainerConfig config, List<TrainingBatch> batches, int steps) {
        List<TrainingBatch> cycle = new ArrayList<>();
        IntStream.range(0, steps).forEach(i -> cycle.add(batches.get(i % batches.size())));
        try (Trainer trainer =
                Trainer.create(config, BatchSource.of(cycle.iterator()), (path, state) -> {})) {
            return trainer.run(StopCondition.afterSteps(steps));
        }
    }

    @Test
    void theLockedImageTowerStaysBitIdenticalWhileTheTextTowerLearns() throws Exception {
        // A "pretrained" model: both towers trained a little.
        TrainingSummary pretrained = train(config("pretrain"), batches(4, 1), 20);
        Map<String, float[]> source = parameters(pretrained.checkpoint());

        // LiT from it, through the trainer's option, on other data.
        TrainerConfig lit =
                config("lit").toBuilder().lit(LitConfig.from(pretrained.checkpoint())).build();
        TrainingSummary tuned = train(lit, batches(4, 2), 60);
        Map<String, float[]> after = parameters(tuned.checkpoint());

        assertThat(tuned.lastLoss()).isLessThan(0.8 * tuned.firstLoss());
        int image = 0;
        int text = 0;
        for (String name : source.keySet()) {
            if (name.contains("image")) {
                image++;
                assertThat(after.get(name)).as(name).isEqualTo(source.get(name)); // bit for bit
            } else if (name.contains("text")) {
                text++;
                assertThat(Arrays.equals(after.get(name), source.get(name)))
                        .as(name + " was trained")
                        .isFalse();
            }
        }
        assertThat(image).isGreaterThan(5);
        assertThat(text).isGreaterThan(5);
    }

    @Test
    void cachedImageEmbeddingsTrainExactlyLikeTheLockedTower() throws Exception {
        TrainingSummary pretrained = train(config("pretrain"), batches(2, 1), 5);
        List<TrainingBatch> data = batches(2, 3);
        LitConfig lit = LitConfig.from(pretrained.checkpoint());
        List<Float> uncached = new ArrayList<>();
        List<Float> cached = new ArrayList<>();
        OptimizerConfig optimizer = config("x").optimizer();
        try (TrainingSession a =
                        TrainingSession.create(
                                MODEL,
                                optimizer,
                                LossConfig.defaults(),
                                lit.toBuilder().cacheImageEmbeddings(false).build(),
                                7,
                                Device.cpu());
                TrainingSession b =
                        TrainingSession.create(
                                MODEL,
                                optimizer,
                                LossConfig.defaults(),
                                lit.toBuilder().cacheImageEmbeddings(true).build(),
                                7,
                                Device.cpu())) {
            assertThat(a.imageCache()).isNull();
            for (int i = 0; i < 6; i++) {
                uncached.add(a.step(data.get(i % 2)).loss());
                cached.add(b.step(data.get(i % 2)).loss());
            }
            assertThat(b.imageCache().size()).isEqualTo(2 * BATCH);
            assertThat(b.imageCache().hits()).isEqualTo(4L * BATCH);
        }
        for (int i = 0; i < uncached.size(); i++) {
            assertThat(cached.get(i))
                    .isCloseTo(uncached.get(i), org.assertj.core.api.Assertions.within(1e-5f));
        }
    }

    private static Map<String, float[]> parameters(Path checkpoint) throws Exception {
        Map<String, float[]> out = new LinkedHashMap<>();
        // Parameters only: a LiT checkpoint holds no optimizer state for the locked tower.
        try (TrainingSession s = TrainingSession.create(MODEL, OptimizerConfig.defaults(), 0)) {
            s.loadParameters(checkpoint.resolve(TrainingSession.PARAMETERS_FILE));
            PairList<String, Parameter> all = s.model().getParameters();
            for (Pair<String, Parameter> p : all) {
                out.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
