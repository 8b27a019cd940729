package io.streamlip.trainer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the training loop's wall time goes: waiting for a batch, the step itself and each of the
 * run's concerns (checkpoints, evaluation, logs), in nanoseconds added up since the trainer was
 * made. The training thread adds; any thread may read a {@link #snapshot}, and two snapshots'
 * difference tells where a stretch of time went (the demo reports it for the time curation was
 * idle). It also keeps the last {@value #RECENT_STEPS} steps' durations, so that a stretch's median
 * step can be compared with a benchmark's median ({@link #stepMillisSince}).
 */
public final class LoopTimes {
    /** The part waiting in {@code BatchSource.next}. */
    public static final String BATCH = "batch_wait";

    /** The part in the optimizer step (forward, backward, update). */
    public static final String STEP = "step";

    /** How many of the latest steps' durations are kept. */
    public static final int RECENT_STEPS = 8192;

    private final Map<String, AtomicLong> nanos = new ConcurrentHashMap<>();
    private final long[] recentStepNanos = new long[RECENT_STEPS];
    private long steps;

    /** Adds {@code elapsedNanos} to {@code part}. */
    void add(String part, long elapsedNanos) {
        nanos.computeIfAbsent(part, p -> new AtomicLong()).addAndGet(elapsedNanos);
    }

    /** Adds one step of {@code elapsedNanos} to {@link #STEP} and to the recent steps. */
    void addStep(long elapsedNanos) {
        add(STEP, elapsedNanos);
        synchronized (recentStepNanos) {
            recentStepNanos[(int) (steps % RECENT_STEPS)] = elapsedNanos;
            steps++;
        }
    }

    /** Steps timed so far. */
    public long steps() {
        synchronized (recentStepNanos) {
            return steps;
        }
    }

    /**
     * The durations of the steps timed after the first {@code stepsBefore} ({@link #steps()} read
     * earlier), in milliseconds and in order; only the latest {@value #RECENT_STEPS} when there
     * were more.
     */
    public double[] stepMillisSince(long stepsBefore) {
        synchronized (recentStepNanos) {
            long from = Math.max(Math.max(0, stepsBefore), steps - RECENT_STEPS);
            double[] millis = new double[(int) (steps - from)];
            for (long i = from; i < steps; i++) {
                millis[(int) (i - from)] = recentStepNanos[(int) (i % RECENT_STEPS)] / 1e6;
            }
            return millis;
        }
    }

    /** Seconds spent in each part so far, the batch wait and the step first. */
    public Map<String, Double> snapshot() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String first : new String[] {BATCH, STEP}) {
            AtomicLong n = nanos.get(first);
            seconds.put(first, n == null ? 0.0 : n.get() / 1e9);
        }
        nanos.entrySet().stream()
                .filter(e -> !seconds.containsKey(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> seconds.put(e.getKey(), e.getValue().get() / 1e9));
        return seconds;
    }

    /** The seconds each part gained from {@code earlier} to {@code later} (two snapshots). */
    public static Map<String, Double> between(
            Map<String, Double> earlier, Map<String, Double> later) {
        Map<String, Double> gained = new LinkedHashMap<>();
        later.forEach((part, s) -> gained.put(part, s - earlier.getOrDefault(part, 0.0)));
        return gained;
    }
}
