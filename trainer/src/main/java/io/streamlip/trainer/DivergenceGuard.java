package io.streamlip.trainer;

/**
 * Stops a run whose updates keep being dropped: after {@link #MAX_CONSECUTIVE_SKIPS} consecutive
 * non-finite gradients the run has diverged, and training on would only skip batches.
 */
final class DivergenceGuard implements TrainingListener {
    /** Consecutive dropped (non-finite) updates after which the run is declared diverged. */
    static final int MAX_CONSECUTIVE_SKIPS = 20;

    private int consecutiveSkips;

    @Override
    public void onStep(TrainingRun run, StepEvent step) {
        consecutiveSkips = 0;
    }

    @Override
    public void onSkippedStep(TrainingRun run, StepEvent step) {
        consecutiveSkips++;
        if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
            throw new IllegalStateException(
                    "training diverged: "
                            + consecutiveSkips
                            + " consecutive non-finite gradients at step "
                            + step.step()
                            + "; lower the learning rate and resume from the last checkpoint");
        }
    }
}
