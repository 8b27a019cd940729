package io.streamlip.filter;

import java.io.Serializable;
import java.time.Duration;

/**
 * A count over a rolling window of time, in {@value #BUCKETS} buckets of {@code window / BUCKETS}
 * each: what a language cap with a window counts ({@link LanguageCapFunction}, {@link
 * LanguageQuota}). The state is a plain {@code long[]} of {@code BUCKETS + 1} values (the newest
 * bucket's number, then the ring of bucket counts), so it sits in Flink keyed state as one value of
 * fixed size per key; this class holds only the window and is stateless.
 *
 * <p>The count at time t covers the bucket t falls in and the {@code BUCKETS - 1} before it: at
 * least the last {@code window - window / BUCKETS} and at most the last {@code window}. Time is in
 * milliseconds; a clock that goes back (another machine after a restart) is taken as standing still
 * at the newest bucket, so a count never drops because a clock is behind.
 */
final class RollingCount implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Buckets per window: the window's resolution. */
    static final int BUCKETS = 60;

    private final long bucketMillis;

    RollingCount(Duration window) {
        if (window.toMillis() < BUCKETS) {
            throw new IllegalArgumentException(
                    "a rolling window must be at least " + BUCKETS + " ms, got " + window);
        }
        this.bucketMillis = window.toMillis() / BUCKETS;
    }

    /** A state with nothing counted. */
    static long[] empty() {
        return new long[BUCKETS + 1];
    }

    /** What {@code state} (null: empty) counts in the window that ends at {@code nowMillis}. */
    long count(long[] state, long nowMillis) {
        if (state == null) {
            return 0;
        }
        long newest = state[0];
        long current = Math.max(bucket(nowMillis), newest);
        long total = 0;
        // The buckets of the window are current - BUCKETS + 1 .. current; the state holds
        // newest - BUCKETS + 1 .. newest: the overlap counts.
        for (long b = Math.max(current, newest) - BUCKETS + 1; b <= newest; b++) {
            if (b > current - BUCKETS) {
                total += state[slot(b)];
            }
        }
        return total;
    }

    /** {@code state} (null: empty) with one more counted at {@code nowMillis}; may reuse it. */
    long[] add(long[] state, long nowMillis) {
        long[] s = state == null ? empty() : state;
        long newest = s[0];
        long current = Math.max(bucket(nowMillis), newest);
        if (current > newest) {
            // The buckets between are empty now; beyond a whole window, every bucket is.
            long clear = Math.min(current - newest, BUCKETS);
            for (long b = current - clear + 1; b <= current; b++) {
                s[slot(b)] = 0;
            }
            s[0] = current;
        }
        s[slot(current)]++;
        return s;
    }

    private long bucket(long millis) {
        return Math.floorDiv(millis, bucketMillis);
    }

    private static int slot(long bucket) {
        return 1 + (int) Math.floorMod(bucket, BUCKETS);
    }
}
