package io.streamlip.trainer;

import io.streamlip.trainer.data.TrainingBatch;

/**
 * One step as the listeners see it.
 *
 * @param batch the batch it trained on
 * @param result what the step did
 * @param window the logging window this step closed, or null when it closed none
 */
record StepEvent(
        TrainingBatch batch, TrainingSession.StepResult result, TrainingRun.LossWindow window) {

    /** The model's step count after this step. */
    long step() {
        return result.step();
    }
}
