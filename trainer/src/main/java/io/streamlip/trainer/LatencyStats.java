package io.streamlip.trainer;

import java.util.Arrays;

/**
 * Percentiles of a latency in milliseconds (the produce-to-trained latency of every example): over
 * a sliding window of the latest {@code window} samples (the steady state of a long run), and over
 * the whole run in a logarithmic histogram (1% wide buckets, so its percentiles are within 1%). Not
 * thread-safe.
 */
public final class LatencyStats {
    private static final double GROWTH = Math.log(1.01);
    private static final int BUCKETS = 2400; // 1.01^2400 ms: beyond any plausible latency

    private final long[] recent;
    private final long[] histogram = new long[BUCKETS];
    private int next;
    private int filled;
    private long count;

    /**
     * Percentiles of some latency samples.
     *
     * @param count samples
     * @param p50Millis median (NaN without samples)
     * @param p95Millis 95th percentile (NaN without samples)
     */
    public record Percentiles(long count, double p50Millis, double p95Millis) {
        public static final Percentiles NONE = new Percentiles(0, Double.NaN, Double.NaN);
    }

    public LatencyStats(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        recent = new long[window];
    }

    /** Adds one sample (negative ones, from clocks apart, count as 0). */
    public void add(long millis) {
        long v = Math.max(0, millis);
        recent[next] = v;
        next = (next + 1) % recent.length;
        filled = Math.min(filled + 1, recent.length);
        histogram[bucket(v)]++;
        count++;
    }

    /** Percentiles of the latest {@code window} samples. */
    public Percentiles recent() {
        if (filled == 0) {
            return Percentiles.NONE;
        }
        long[] sorted = Arrays.copyOf(recent, filled);
        Arrays.sort(sorted);
        return new Percentiles(filled, rank(sorted, 0.50), rank(sorted, 0.95));
    }

    /** Percentiles of every sample so far (from the histogram: within 1%). */
    public Percentiles overall() {
        if (count == 0) {
            return Percentiles.NONE;
        }
        return new Percentiles(count, fromHistogram(0.50), fromHistogram(0.95));
    }

    private static double rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private double fromHistogram(double q) {
        long target = (long) Math.ceil(q * count);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += histogram[b];
            if (seen >= target) {
                return b == 0 ? 0 : Math.round(Math.exp((b - 0.5) * GROWTH));
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static int bucket(long millis) {
        if (millis < 1) {
            return 0;
        }
        return (int) Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(millis) / GROWTH));
    }
}
