package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DivergenceGuardTest {
    private static StepEvent step(long step, boolean skipped) {
        return new StepEvent(
                null, new TrainingSession.StepResult(step, 1f, 1e-3, 1, 10, -10, skipped), null);
    }

    @Test
    void stopsTheRunAfterTooManyConsecutiveDroppedUpdates() {
        DivergenceGuard guard = new DivergenceGuard();
        int limit = DivergenceGuard.MAX_CONSECUTIVE_SKIPS;
        for (int i = 1; i < limit; i++) {
            guard.onSkippedStep(null, step(i, true));
        }
        assertThatThrownBy(() -> guard.onSkippedStep(null, step(limit, true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("training diverged: " + limit + " consecutive")
                .hasMessageContaining("at step " + limit);
    }

    @Test
    void aTrainedStepResetsTheCount() {
        DivergenceGuard guard = new DivergenceGuard();
        int limit = DivergenceGuard.MAX_CONSECUTIVE_SKIPS;
        long step = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i < limit; i++) {
                guard.onSkippedStep(null, step(++step, true));
            }
            guard.onStep(null, step(++step, false));
        }
        guard.onSkippedStep(null, step(++step, true)); // one after a trained step: no divergence
        assertThat(step).isEqualTo(3L * limit + 1);
    }
}
