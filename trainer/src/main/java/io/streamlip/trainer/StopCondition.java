package io.streamlip.trainer;

import java.time.Duration;

/**
 * When {@link Trainer#run} returns, besides {@link Trainer#stop()}: after a duration, after a
 * number of steps in this run, or whichever comes first.
 *
 * @param maxDuration wall-clock limit of the run, or null for none
 * @param maxSteps steps to take in this run (not counting those of a resumed checkpoint), or 0 for
 *     no limit
 */
public record StopCondition(Duration maxDuration, long maxSteps) {

    public StopCondition {
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
        }
    }

    /** Only {@link Trainer#stop()} ends the run. */
    public static StopCondition whenStopped() {
        return new StopCondition(null, 0);
    }

    public static StopCondition after(Duration duration) {
        return new StopCondition(duration, 0);
    }

    public static StopCondition afterSteps(long steps) {
        return new StopCondition(null, steps);
    }

    /** Why a run ended. */
    public enum Reason {
        DURATION,
        STEPS,
        STOPPED
    }
}
