package io.streamlip.trainer;

import java.time.Duration;

/**
 * When {@link Trainer#run} returns, besides {@link Trainer#stop()}: after a duration, after a
 * number of steps in this run, or whichever comes first.
 *
 * @param maxDuration wall-clock limit of the run, or null for none
 * @param maxSteps steps to take in this run (not counting those of a resumed checkpoint), or 0 for
 *     no limit
 * @param firstBatchWait null: {@code maxDuration} counts from the start of the run. Otherwise it
 *     counts from the first batch, and the run gives up when no batch arrived within this long (a
 *     pipeline started together with its trainer needs a while before its first example, longer on
 *     a busy machine; that wait should not eat the training time)
 */
public record StopCondition(Duration maxDuration, long maxSteps, Duration firstBatchWait) {

    public StopCondition {
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
        }
        if (firstBatchWait != null && maxDuration == null) {
            throw new IllegalArgumentException("firstBatchWait needs a maxDuration");
        }
    }

    /** Only {@link Trainer#stop()} ends the run. */
    public static StopCondition whenStopped() {
        return new StopCondition(null, 0, null);
    }

    /** Stops {@code duration} after the run started. */
    public static StopCondition after(Duration duration) {
        return new StopCondition(duration, 0, null);
    }

    /**
     * Trains for {@code duration} from the first batch; gives up when none arrived within {@code
     * firstBatchWait}.
     */
    public static StopCondition trainingFor(Duration duration, Duration firstBatchWait) {
        return new StopCondition(duration, 0, firstBatchWait);
    }

    public static StopCondition afterSteps(long steps) {
        return new StopCondition(null, steps, null);
    }

    /** Why a run ended. */
    public enum Reason {
        DURATION,
        STEPS,
        STOPPED
    }
}
