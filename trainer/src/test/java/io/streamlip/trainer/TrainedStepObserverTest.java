package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointListener;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Trainer#onTrained}: each applied step, with what its batch said, in order. */
@Tag("integration")
class TrainedStepObserverTest {
    @TempDir Path temp;

    @Test
    @Timeout(120)
    void eachStepIsToldWithItsOffsetsAndProduceTimes() {
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        List<TrainingBatch> synthetic =
                SyntheticExamples.batches(
                        SyntheticExamples.generate(16, 2, 32, tokenizer), 8, model, 1);
        TopicPartition partition = new TopicPartition("examples", 0);
        AtomicInteger served = new AtomicInteger();
        BatchSource source =
                wait -> {
                    int i = served.getAndIncrement();
                    TrainingBatch b = synthetic.get(i % synthetic.size());
                    long[] produced = new long[b.size()];
                    Arrays.fill(produced, 1_000L * i);
                    return Optional.of(
                            new TrainingBatch(
                                    b.size(),
                                    b.imageSize(),
                                    b.contextLength(),
                                    b.images(),
                                    b.tokenIds(),
                                    b.mask(),
                                    b.langs(),
                                    Map.of(partition, 8L * (i + 1)),
                                    produced));
                };
        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(8)
                        .threads(1)
                        .checkpointDir(temp)
                        .checkpointEvery(1000)
                        .keepCheckpoints(1)
                        .build();
        List<TrainedStep> told = new ArrayList<>();
        try (Trainer trainer = Trainer.create(config, source, CheckpointListener.none())) {
            trainer.onTrained(told::add);
            TrainingSummary summary = trainer.run(StopCondition.afterSteps(4));
            assertThat(summary.steps()).isEqualTo(4);
        }
        assertThat(told).extracting(TrainedStep::step).containsExactly(1L, 2L, 3L, 4L);
        assertThat(told).extracting(TrainedStep::examples).containsOnly(8);
        assertThat(told.get(3).trainedUpTo()).containsEntry(partition, 32L);
        assertThat(told.get(2).produceTimes()).containsOnly(2_000L);
        assertThat(told.get(3).trainedAtMillis())
                .isGreaterThanOrEqualTo(told.get(0).trainedAtMillis());
    }
}
