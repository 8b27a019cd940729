package io.streamlip.trainer.data;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/** Where the trainer's batches come from: Kafka in the pipeline, a list in tests and benchmarks. */
public interface BatchSource extends AutoCloseable {

    /** The next full batch, or empty when none became available within {@code wait}. */
    Optional<TrainingBatch> next(Duration wait);

    /**
     * Resumes reading at these offsets (next offset to read per partition), e.g. a checkpoint's.
     */
    default void seek(Map<TopicPartition, Long> offsets) {}

    /** Told when a checkpoint covering everything up to {@code offsets} is durable. */
    default void checkpointed(Map<TopicPartition, Long> offsets) {}

    /** Records refused so far (undecodable or not fit for this model). */
    default long skipped() {
        return 0;
    }

    @Override
    default void close() {}

    /** A source handing out {@code batches} in order, then nothing. */
    static BatchSource of(Iterator<TrainingBatch> batches) {
        return wait -> batches.hasNext() ? Optional.of(batches.next()) : Optional.empty();
    }
}
