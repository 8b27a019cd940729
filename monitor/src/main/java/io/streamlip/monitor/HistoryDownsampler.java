package io.streamlip.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reduces the snapshots of a time window, handed over one at a time and oldest first, to a {@link
 * HistorySeries} of at most {@code maxPoints} points, holding only one bucket's sums at a time.
 * Buckets are of equal width, aligned to the epoch; each bucket with a reachable snapshot gives one
 * point at the time of its last snapshot: lag (a level) its last value, messages/s and bytes/s
 * (rates) the mean of the known values, null when none is known. A group or topic absent from a
 * whole bucket gives a null point, as in {@link HistorySeries#of}. Snapshots outside the window and
 * unreachable ones are skipped. Not thread-safe. Why last and mean:
 * docs/decisions/monitor-history.md.
 */
final class HistoryDownsampler implements Consumer<Snapshot> {
    private final long fromMs;
    private final long toMs;
    private final long bucketMillis;
    private final List<Long> times = new ArrayList<>();
    private final Map<String, List<Double>> lag = new TreeMap<>();
    private final Map<String, List<Double>> messages = new TreeMap<>();
    private final Map<String, List<Double>> bytes = new TreeMap<>();
    // the bucket being filled
    private long bucket = Long.MIN_VALUE;
    private long lastTime;
    private final Map<String, Double> lastLag = new HashMap<>();
    private final Map<String, Mean> messageMeans = new HashMap<>();
    private final Map<String, Mean> byteMeans = new HashMap<>();

    /**
     * @param fromMs the window's first millisecond
     * @param toMs the window's last millisecond
     * @param maxPoints the most points the series may have (at least 2)
     * @param snapshots how many snapshots the window holds (an upper bound will do)
     */
    HistoryDownsampler(long fromMs, long toMs, int maxPoints, long snapshots) {
        if (toMs < fromMs || maxPoints < 2) {
            throw new IllegalArgumentException(
                    "window [" + fromMs + ", " + toMs + "] with " + maxPoints + " points");
        }
        this.fromMs = fromMs;
        this.toMs = toMs;
        // Snapshot times are distinct (the history keys by time), so 1 ms buckets keep them all.
        this.bucketMillis = snapshots <= maxPoints ? 1 : bucketMillis(toMs - fromMs + 1, maxPoints);
    }

    /**
     * The bucket width for a window of {@code spanMs} milliseconds: a window of that span touches
     * at most {@code maxPoints} aligned buckets of this width, wherever it starts.
     */
    static long bucketMillis(long spanMs, int maxPoints) {
        return Math.max(1, -Math.floorDiv(-spanMs, maxPoints - 1L));
    }

    long bucketMillis() {
        return bucketMillis;
    }

    @Override
    public void accept(Snapshot s) {
        if (!s.reachable() || s.time() < fromMs || s.time() > toMs) {
            return;
        }
        long b = Math.floorDiv(s.time(), bucketMillis);
        if (b != bucket) {
            flush();
            bucket = b;
        }
        lastTime = s.time();
        for (Snapshot.GroupStats g : s.groups()) {
            lastLag.put(g.group(), (double) g.totalLag());
        }
        for (Snapshot.TopicStats t : s.topics()) {
            messageMeans.computeIfAbsent(t.name(), k -> new Mean()).add(t.messagesPerSecond());
            byteMeans.computeIfAbsent(t.name(), k -> new Mean()).add(t.bytesPerSecond());
        }
    }

    /** The series of everything accepted so far. */
    HistorySeries result() {
        flush();
        for (Map<String, List<Double>> map : List.of(lag, messages, bytes)) {
            map.values().forEach(values -> pad(values, times.size()));
        }
        return new HistorySeries(List.copyOf(times), lag, messages, bytes);
    }

    private void flush() {
        if (bucket == Long.MIN_VALUE) {
            return;
        }
        int index = times.size();
        times.add(lastTime);
        lastLag.forEach((name, value) -> point(lag, name, index, value));
        messageMeans.forEach((name, mean) -> point(messages, name, index, mean.value()));
        byteMeans.forEach((name, mean) -> point(bytes, name, index, mean.value()));
        lastLag.clear();
        messageMeans.clear();
        byteMeans.clear();
        bucket = Long.MIN_VALUE;
    }

    private static void point(Map<String, List<Double>> map, String name, int index, Double value) {
        List<Double> values = map.computeIfAbsent(name, k -> new ArrayList<>());
        pad(values, index);
        values.add(value);
    }

    private static void pad(List<Double> values, int size) {
        while (values.size() < size) {
            values.add(null);
        }
    }

    /** The mean of the known (non-NaN) values added; null when none. */
    private static final class Mean {
        private double sum;
        private int count;

        void add(double v) {
            if (!Double.isNaN(v)) {
                sum += v;
                count++;
            }
        }

        Double value() {
            return count == 0 ? null : sum / count;
        }
    }
}
