package io.streamlip.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The demo's default import pace ({@link ImportRate#AUTO}): pairs go onto {@code raw-pairs} as fast
 * as the trainer takes examples, keeping a lead of examples waiting for it whatever the machine.
 * Each {@link #observe} sets the rate from the trainer's examples per second and the examples
 * waiting for it: {@code max(trainer rate, batch / RATE_WINDOW) x clamp(2 - lag / lead, 0, 2) /
 * pass share}; it stops while too many pairs are in the jobs. {@link #await} holds the import to
 * the integral of the rate. How and why: docs/decisions/demo.md. Thread-safe.
 */
final class AdaptivePace {
    /** Batches of examples kept waiting for the trainer, at least. */
    static final int LEAD_BATCHES = 2;

    /** The window over which the trainer's rate is measured. */
    static final Duration RATE_WINDOW = Duration.ofSeconds(5);

    /** Most time's worth of the trainer's examples in the jobs at once (see the class comment). */
    static final Duration MAX_PIPELINE = Duration.ofSeconds(10);

    /**
     * Longest the import stays silent: then one pair goes whatever the rate, so that the examples
     * topic never looks idle to the trainer's replay of a finished import (Demo's
     * REPLAY_AFTER_IDLE) while a slow trainer works through its lead.
     */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

    /** How often the demo reads the lag and calls {@link #observe}. */
    static final Duration TICK = Duration.ofMillis(200);

    /** Most credit the import may bank beyond what it sent: a burst of this long at the rate. */
    private static final double MAX_BANKED_SECONDS = 0.5;

    private final int batchSize;
    private final long burstNanos;
    private final Deque<long[]> trained = new ArrayDeque<>(); // {nanos, examples trained}
    private final Deque<long[]> lags = new ArrayDeque<>(); // {nanos, lag}
    private double credit;
    private long sent;
    private long lastNanos = Long.MIN_VALUE;
    private long sentAtLastReading;
    private long lastSendNanos = Long.MIN_VALUE;
    private double rate;
    private double trainerRate;
    private double lead;
    private long lastTrained;
    private double activeTrainerRate;
    private double activeLead;
    private double activeRate;
    private long ticksTraining;
    private long ticksStarved;

    /**
     * @param batchSize the trainer's batch size
     * @param checkpointInterval the jobs' checkpoint interval: examples reach the trainer one
     *     commit at a time
     */
    AdaptivePace(int batchSize, Duration checkpointInterval) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.burstNanos = Math.max(TICK.toNanos(), checkpointInterval.toNanos());
        this.lead = (double) LEAD_BATCHES * batchSize;
        this.credit = lead; // the first lead goes at once
    }

    /**
     * One reading at {@code nanos} (monotonic): the trainer's lag on {@code examples}, the examples
     * it has trained so far (0 before its first step), the share of pairs that become examples (1
     * when unknown), and the pairs in the jobs (sent, not yet an example or a reject).
     */
    synchronized void observe(
            long nanos, long lag, long trainedExamples, double passShare, long inJobs) {
        trained.addLast(new long[] {nanos, trainedExamples});
        while (trained.size() > 2 && nanos - trained.peekFirst()[0] > RATE_WINDOW.toNanos()) {
            trained.removeFirst();
        }
        long[] oldest = trained.peekFirst();
        double span = (nanos - oldest[0]) / 1e9;
        if (span >= 1) {
            trainerRate = (trainedExamples - oldest[1]) / span;
        }
        lags.addLast(new long[] {nanos, Math.max(0, lag)});
        while (lags.size() > 1 && nanos - lags.peekFirst()[0] > burstNanos) {
            lags.removeFirst();
        }
        double meanLag = lags.stream().mapToLong(l -> l[1]).average().orElse(0);
        lead =
                Math.max(
                        (double) LEAD_BATCHES * batchSize,
                        trainerRate * burstNanos / 1e9 + batchSize);
        double gain = Math.max(0, Math.min(2, 2 - meanLag / lead));
        double floor = batchSize / (RATE_WINDOW.toNanos() / 1e9);
        double share = passShare > 0.01 && passShare <= 1 ? passShare : 1;
        rate = Math.max(trainerRate, floor) * gain / share;
        double maxInJobs = (lead + Math.max(trainerRate, floor) * MAX_PIPELINE.toSeconds()) / share;
        if (inJobs >= maxInJobs || (trainedExamples == 0 && lag + inJobs * share >= lead)) {
            rate = 0;
        }
        if (lastNanos != Long.MIN_VALUE) {
            credit += rate * (nanos - lastNanos) / 1e9;
            credit = Math.min(credit, sent + Math.max(1, rate * MAX_BANKED_SECONDS));
        }
        if (sent > sentAtLastReading || lastSendNanos == Long.MIN_VALUE) {
            sentAtLastReading = sent;
            lastSendNanos = nanos;
        } else if (trainedExamples > 0 && nanos - lastSendNanos >= KEEP_ALIVE.toNanos()) {
            credit = Math.max(credit, sent + 1);
        }
        lastNanos = nanos;
        if (trainedExamples > lastTrained) {
            // The figures the report gives: as of the latest reading with progress (the trainer's
            // final evaluation and the end of the run are no pace).
            lastTrained = trainedExamples;
            activeTrainerRate = trainerRate;
            activeLead = lead;
            activeRate = rate;
        }
        if (trainedExamples > 0) {
            ticksTraining++;
            if (lag < batchSize) {
                ticksStarved++;
            }
        }
    }

    /**
     * Waits until the pair after the first {@code sentSoFar} may go; throws {@link
     * CancellationException} when {@code stop} holds first.
     */
    void await(long sentSoFar, BooleanSupplier stop) {
        while (!mayGo(sentSoFar)) {
            if (stop.getAsBoolean()) {
                throw new CancellationException("import stopped after " + sentSoFar + " pairs");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("import interrupted after " + sentSoFar + " pairs");
            }
        }
    }

    private synchronized boolean mayGo(long sentSoFar) {
        sent = sentSoFar;
        return sentSoFar < credit;
    }

    /** The rate set at the latest reading, pairs per second. */
    synchronized double rate() {
        return rate;
    }

    /**
     * The trainer's rate, the lead and the rate set, as of the latest reading at which the trainer
     * had trained more than at the one before (all 0 before its first step).
     */
    synchronized double[] whileTraining() {
        return new double[] {activeTrainerRate, activeLead, activeRate};
    }

    /** The trainer's examples per second over the latest {@link #RATE_WINDOW}. */
    synchronized double trainerRate() {
        return trainerRate;
    }

    /** The lead of examples the pace keeps waiting for the trainer now. */
    synchronized double lead() {
        return lead;
    }

    /**
     * Of the readings since the trainer's first step, the share with less than a batch waiting for
     * it (the trainer may have waited for examples); NaN before.
     */
    synchronized double starvedShare() {
        return ticksTraining == 0 ? Double.NaN : (double) ticksStarved / ticksTraining;
    }
}
