package io.streamlip.trainer;

/**
 * Records each trained example's freshness: from its Kafka record timestamp to the end of the step
 * that trained it (examples without a timestamp are left out).
 */
final class FreshnessRecorder implements TrainingListener {
    @Override
    public void onStep(TrainingRun run, StepEvent step) {
        long trainedAt = System.currentTimeMillis();
        for (long produced : step.batch().produceTimes()) {
            if (produced >= 0) {
                run.freshness().add(trainedAt - produced);
            }
        }
    }
}
