package io.streamlip.platform.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How a job restarts after a failure: {@link Exponential} (never gives up; what jobs on a cluster
 * use) or {@link Fixed} (a bounded number of attempts; what tests and in-process runs use, since
 * with checkpointing on an unbounded strategy makes a failing test hang).
 */
public sealed interface RestartPolicy extends Serializable {

    /** {@link Exponential#initialBackoff()} of {@link #exponential()}: 1 s. */
    long DEFAULT_INITIAL_BACKOFF_MS = 1_000;

    /** {@link Exponential#maxBackoff()} of {@link #exponential()}: 60 s. */
    long DEFAULT_MAX_BACKOFF_MS = 60_000;

    /** {@link Exponential#multiplier()} of {@link #exponential()}: 1.5. */
    double DEFAULT_MULTIPLIER = 1.5;

    /** {@link Exponential#resetThreshold()} of {@link #exponential()}: 1 h. */
    long DEFAULT_RESET_THRESHOLD_MS = 3_600_000;

    /** {@link Exponential#jitter()} of {@link #exponential()}: 0.1. */
    double DEFAULT_JITTER = 0.1;

    /**
     * Flink's {@code exponential-delay} strategy without a cap on attempts: the first restart after
     * {@code initialBackoff}, each further one {@code multiplier} times later, at most {@code
     * maxBackoff}; once the job has run {@code resetThreshold} without failing, the delay starts
     * over at {@code initialBackoff}. Each delay varies by up to {@code jitter} (a fraction), so
     * jobs that failed together do not all restart at once.
     */
    record Exponential(
            Duration initialBackoff,
            Duration maxBackoff,
            double multiplier,
            Duration resetThreshold,
            double jitter)
            implements RestartPolicy {
        public Exponential {
            positive(initialBackoff, "initialBackoff");
            positive(maxBackoff, "maxBackoff");
            positive(resetThreshold, "resetThreshold");
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException(
                        "maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException(
                        "multiplier must be at least 1, got " + multiplier);
            }
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
            }
        }
    }

    /** Flink's {@code fixed-delay} strategy: {@code attempts} restarts, {@code delay} apart. */
    record Fixed(int attempts, Duration delay) implements RestartPolicy {
        public Fixed {
            if (attempts < 0) {
                throw new IllegalArgumentException(
                        "restart attempts must not be negative, got " + attempts);
            }
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("restart delay must not be negative");
            }
        }
    }

    /**
     * The documented defaults: 1 s initial backoff, 60 s at most, times 1.5 per failure, reset
     * after 1 h without a failure, 10 % jitter (Flink's own defaults, set explicitly so that a
     * cluster configuration cannot cap them).
     */
    static Exponential exponential() {
        return new Exponential(
                Duration.ofMillis(DEFAULT_INITIAL_BACKOFF_MS),
                Duration.ofMillis(DEFAULT_MAX_BACKOFF_MS),
                DEFAULT_MULTIPLIER,
                Duration.ofMillis(DEFAULT_RESET_THRESHOLD_MS),
                DEFAULT_JITTER);
    }

    static Fixed fixed(int attempts, Duration delay) {
        return new Fixed(attempts, delay);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
