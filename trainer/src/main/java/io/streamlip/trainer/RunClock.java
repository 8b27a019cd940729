package io.streamlip.trainer;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a run's loop stops: a {@link StopCondition}'s steps or duration, or a stop request (from
 * {@link Trainer#stop()} or an interrupt). With a {@code firstBatchWait} the duration counts from
 * the first batch.
 */
final class RunClock {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final StopCondition stop;
    private final long startNanos;
    private final BooleanSupplier stopRequested;
    private Long clockStart; // where the duration counts from; null while waiting for a batch

    RunClock(StopCondition stop, long startNanos, BooleanSupplier stopRequested) {
        this.stop = stop;
        this.startNanos = startNanos;
        this.stopRequested = stopRequested;
        this.clockStart = stop.firstBatchWait() == null ? startNanos : null;
    }

    /** Called for each batch: the first one starts a duration that waited for it. */
    void batchArrived() {
        if (clockStart == null) {
            clockStart = System.nanoTime();
            LOG.info(
                    "first batch after {} s: training for {}",
                    (clockStart - startNanos) / 1_000_000_000L,
                    stop.maxDuration());
        }
    }

    /** Why the run stops now, after {@code steps} trained steps; empty when it goes on. */
    Optional<StopCondition.Reason> check(long steps) {
        if (stopRequested.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            return Optional.of(StopCondition.Reason.STOPPED);
        }
        if (stop.maxSteps() > 0 && steps >= stop.maxSteps()) {
            return Optional.of(StopCondition.Reason.STEPS);
        }
        long now = System.nanoTime();
        if (clockStart == null) { // waiting for the first batch
            if (now - startNanos >= stop.firstBatchWait().toNanos()) {
                LOG.warn("no batch arrived in {}: giving up", stop.firstBatchWait());
                return Optional.of(StopCondition.Reason.DURATION);
            }
        } else if (stop.maxDuration() != null && now - clockStart >= stop.maxDuration().toNanos()) {
            return Optional.of(StopCondition.Reason.DURATION);
        }
        return Optional.empty();
    }
}
