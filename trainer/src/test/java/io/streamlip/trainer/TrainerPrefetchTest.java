package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.data.StreamRandom;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The trainer with batches prefetched on a thread of their own. */
@Tag("integration")
class TrainerPrefetchTest {
    private static final TopicPartition TP = new TopicPartition("examples", 0);
    private static final int STEPS = 6;

    @TempDir Path temp;

    /**
     * A source of numbered batches that stands at offset n once it handed out n, drawing one random
     * number per batch, and records what it was told to commit.
     */
    private static final class Numbered implements BatchSource {
        final List<TrainingBatch> batches;
        final StreamRandom random;
        final AtomicInteger served = new AtomicInteger();
        final List<StreamPosition> commits = new CopyOnWriteArrayList<>();

        Numbered(List<TrainingBatch> batches, StreamRandom random) {
            this.batches = batches;
            this.random = random;
        }

        @Override
        public Optional<TrainingBatch> next(Duration wait) {
            random.nextLong();
            return Optional.of(batches.get(served.getAndIncrement() % batches.size()));
        }

        @Override
        public StreamPosition position() {
            return StreamPosition.of(Map.of(TP, (long) served.get()));
        }

        @Override
        public void checkpointed(StreamPosition position) {
            commits.add(position);
        }
    }

    private record Run(TrainingSummary summary, TrainingState state, Numbered source) {}

    private Run train(int prefetch, Path checkpoints) {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(48, 3, 32, tokenizer), 8, model, 1);
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .logEvery(1)
                        .checkpointDir(checkpoints)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .prefetchBatches(prefetch)
                        .build();
        StreamRandom random = new StreamRandom(config.seed());
        Numbered source = new Numbered(batches, random);
        try (Trainer trainer = Trainer.create(config, source, CheckpointListener.none(), random)) {
            TrainingSummary summary = trainer.run(StopCondition.afterSteps(STEPS));
            return new Run(summary, CheckpointStore.readState(summary.checkpoint()), source);
        }
    }

    @Test
    @Timeout(180)
    void trainsTheSameBatchesAndCheckpointsOnlyWhatItTrained() throws Exception {
        Run plain = train(0, temp.resolve("plain"));
        Run prefetched = train(2, temp.resolve("prefetched"));

        // The same batches in the same order: the same model, step for step.
        assertThat(prefetched.summary().steps()).isEqualTo(STEPS);
        assertThat(prefetched.summary().lastLoss()).isEqualTo(plain.summary().lastLoss());
        assertThat(
                        Files.readAllBytes(
                                prefetched
                                        .summary()
                                        .checkpoint()
                                        .resolve(TrainingSession.PARAMETERS_FILE)))
                .isEqualTo(
                        Files.readAllBytes(
                                plain.summary()
                                        .checkpoint()
                                        .resolve(TrainingSession.PARAMETERS_FILE)));

        // The reader ran ahead, but the checkpoint covers the trained batches only: position,
        // generator state and the commit are those after batch STEPS.
        assertThat(prefetched.source().served.get()).isGreaterThan(STEPS);
        StreamPosition trained = StreamPosition.of(Map.of(TP, (long) STEPS));
        for (Run run : List.of(plain, prefetched)) {
            assertThat(run.state().position()).isEqualTo(trained);
            assertThat(run.state().rngState()).isEqualTo(afterDraws(STEPS));
            assertThat(run.source().commits).last().isEqualTo(trained);
        }
        assertThat(
                        Thread.getAllStackTraces().keySet().stream()
                                .anyMatch(t -> t.getName().equals("streamlip-prefetch")))
                .isFalse();
    }

    private static long afterDraws(int draws) {
        StreamRandom random = new StreamRandom(TrainerConfig.defaults().seed());
        for (int i = 0; i < draws; i++) {
            random.nextLong();
        }
        return random.state();
    }
}
