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
 * idle).
 */
public final class LoopTimes {
    /** The part waiting in {@code BatchSource.next}. */
    public static final String BATCH = "batch_wait";

    /** The part in the optimizer step (forward, backward, update). */
    public static final String STEP = "step";

    private final Map<String, AtomicLong> nanos = new ConcurrentHashMap<>();

    /** Adds {@code elapsedNanos} to {@code part}. */
    void add(String part, long elapsedNanos) {
        nanos.computeIfAbsent(part, p -> new AtomicLong()).addAndGet(elapsedNanos);
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
