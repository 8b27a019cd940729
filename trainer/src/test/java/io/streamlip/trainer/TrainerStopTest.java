package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class TrainerStopTest {
    @TempDir Path temp;

    @Test
    @Timeout(120)
    void stopFromAnotherThreadEndsTheRunWithACheckpoint() throws Exception {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(16, 2, 32, tokenizer), 8, model, 1);
        AtomicInteger served = new AtomicInteger();
        BatchSource endless =
                wait -> Optional.of(batches.get(served.getAndIncrement() % batches.size()));
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .logEvery(1)
                        .checkpointDir(temp)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .build();
        try (Trainer trainer = Trainer.create(config, endless, CheckpointListener.none())) {
            CompletableFuture<TrainingSummary> run =
                    CompletableFuture.supplyAsync(() -> trainer.run(StopCondition.whenStopped()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (trainer.progress().step() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(trainer.progress().step()).isGreaterThanOrEqualTo(3);
            assertThat(trainer.progress().loss()).isPositive();
            trainer.stop();
            TrainingSummary summary = run.get(60, TimeUnit.SECONDS);
            assertThat(summary.reason()).isEqualTo(StopCondition.Reason.STOPPED);
            assertThat(summary.steps()).isGreaterThanOrEqualTo(3);
            assertThat(CheckpointStore.readState(summary.checkpoint()).step())
                    .isEqualTo(summary.globalStep());
        }
    }

    @Test
    void aDurationLimitStopsTheRun() {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .threads(1)
                        .checkpointDir(temp)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .pollTimeout(Duration.ofMillis(50))
                        .build();
        BatchSource empty = wait -> Optional.empty(); // no data: only the clock can stop it
        try (Trainer trainer = Trainer.create(config, empty, CheckpointListener.none())) {
            TrainingSummary summary = trainer.run(StopCondition.after(Duration.ofMillis(300)));
            assertThat(summary.reason()).isEqualTo(StopCondition.Reason.DURATION);
            assertThat(summary.steps()).isZero();
            assertThat(summary.checkpoint()).isNull();
            assertThat(summary.firstLoss()).isNaN();
        }
    }

    @Test
    @Timeout(120)
    void trainingTimeCountsFromTheFirstBatch() {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> batches =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(16, 2, 32, tokenizer), 8, model, 1);
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(temp)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .pollTimeout(Duration.ofMillis(50))
                        .build();
        // Nothing for the first 1.5 s, then batches: a clock from the run's start (1 s) would
        // stop before the first step.
        long dataFrom = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        AtomicInteger served = new AtomicInteger();
        BatchSource late =
                wait -> {
                    if (System.nanoTime() < dataFrom) {
                        sleep(wait);
                        return Optional.empty();
                    }
                    return Optional.of(batches.get(served.getAndIncrement() % batches.size()));
                };
        try (Trainer trainer = Trainer.create(config, late, CheckpointListener.none())) {
            TrainingSummary summary =
                    trainer.run(
                            StopCondition.trainingFor(
                                    Duration.ofSeconds(1), Duration.ofSeconds(60)));
            assertThat(summary.reason()).isEqualTo(StopCondition.Reason.DURATION);
            assertThat(summary.steps()).isPositive();
        }
        BatchSource empty = wait -> Optional.empty();
        try (Trainer trainer = Trainer.create(config, empty, CheckpointListener.none())) {
            TrainingSummary summary =
                    trainer.run(
                            StopCondition.trainingFor(
                                    Duration.ofSeconds(1), Duration.ofMillis(300)));
            assertThat(summary.reason()).isEqualTo(StopCondition.Reason.DURATION);
            assertThat(summary.steps()).isZero();
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
