package io.streamlip.trainer;

import java.io.IOException;

/**
 * One concern of a training run (a log, checkpoints, evaluation, ...), told of each step and of the
 * end by {@link Trainer}'s loop, on the training thread, in the order the trainer lists them. State
 * that several listeners share lives in the {@link TrainingRun}; a listener keeps only its own.
 */
interface TrainingListener {
    /** After a step whose update was applied. */
    default void onStep(TrainingRun run, StepEvent step) throws IOException {}

    /** After a step whose update was dropped (its gradient was not finite). */
    default void onSkippedStep(TrainingRun run, StepEvent step) throws IOException {}

    /** After the last step, once {@link TrainingRun#stopReason()} is known. */
    default void onEnd(TrainingRun run) throws IOException {}
}
