package io.streamlip.trainer.data;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

/** Where the trainer's batches come from: Kafka in the pipeline, a list in tests and benchmarks. */
public interface BatchSource extends AutoCloseable {

    /** The next full batch, or empty when none became available within {@code wait}. */
    Optional<TrainingBatch> next(Duration wait);

    /** Resumes reading at a checkpoint's position (see {@link StreamPosition}). */
    default void seek(StreamPosition position) {}

    /**
     * Where reading stands if every batch handed out so far has been trained: the trainer asks only
     * after the step of the latest batch finished. Empty for sources without offsets.
     */
    default StreamPosition position() {
        return StreamPosition.NONE;
    }

    /** Told when a checkpoint covering everything up to {@code position} is durable. */
    default void checkpointed(StreamPosition position) {}

    /**
     * Told whether every record of the input is there for now (a finite import that curation has
     * finished) or more may come: a source that reads its input again does so as soon as it runs
     * dry while it is complete, instead of after its idle wait. Safe to call from any thread.
     */
    default void inputComplete(boolean complete) {}

    /** Records read but passed over by the per-language sampling so far. */
    default long sampledOut() {
        return 0;
    }

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
