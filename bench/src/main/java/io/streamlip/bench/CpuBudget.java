package io.streamlip.bench;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * A training budget in CPU time rather than wall time, so that runs on a machine shared with other
 * work get the same computation whatever the load: the CPU nanoseconds of a clock (by default this
 * process's: every thread, PyTorch's intra-op pool, the garbage collector and the JIT included) are
 * charged while the budget runs ({@link #start} to {@link #stop}), and only then; what the process
 * does between (preparing data, evaluating) is not charged. Not thread-safe.
 */
final class CpuBudget {
    private final long budgetNanos;
    private final LongSupplier cpuNanos;
    private long charged;
    private long startedAt = -1;

    /**
     * @param budgetNanos CPU nanoseconds to spend, positive
     * @param cpuNanos a monotonic CPU-time clock in nanoseconds
     */
    CpuBudget(long budgetNanos, LongSupplier cpuNanos) {
        if (budgetNanos <= 0) {
            throw new IllegalArgumentException("the CPU budget must be positive: " + budgetNanos);
        }
        this.budgetNanos = budgetNanos;
        this.cpuNanos = cpuNanos;
    }

    /** A budget of {@code seconds} of this process's CPU time. */
    static CpuBudget ofProcessSeconds(double seconds) {
        return new CpuBudget(Math.round(seconds * 1e9), CpuBudget::processCpuNanos);
    }

    /** Starts charging. */
    void start() {
        if (startedAt >= 0) {
            throw new IllegalStateException("the budget is already running");
        }
        startedAt = cpuNanos.getAsLong();
    }

    /** Stops charging; the CPU time since {@link #start} is spent. */
    void stop() {
        if (startedAt < 0) {
            throw new IllegalStateException("the budget is not running");
        }
        charged += Math.max(0, cpuNanos.getAsLong() - startedAt);
        startedAt = -1;
    }

    /** CPU nanoseconds spent so far, the running stretch included. */
    long spentNanos() {
        return charged + (startedAt < 0 ? 0 : Math.max(0, cpuNanos.getAsLong() - startedAt));
    }

    /** Whether the budget is spent: no further step should start. */
    boolean exhausted() {
        return spentNanos() >= budgetNanos;
    }

    long budgetNanos() {
        return budgetNanos;
    }

    /** This process's CPU time (all threads, user and system), nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
