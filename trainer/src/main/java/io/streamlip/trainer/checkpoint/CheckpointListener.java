package io.streamlip.trainer.checkpoint;

import java.nio.file.Path;

/** Told about every checkpoint the trainer writes, e.g. to announce it on {@code model-updates}. */
@FunctionalInterface
public interface CheckpointListener {
    void onCheckpoint(Path checkpoint, TrainingState state);

    /** Does nothing. */
    static CheckpointListener none() {
        return (checkpoint, state) -> {};
    }
}
