package io.streamlip.filter.blocklist;

import java.io.Serializable;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * A set of 64-bit perceptual hashes that finds the listed hash nearest to a query within {@code
 * maxDistance} bits (Hamming distance) without scanning them all: multi-index hashing (Norouzi,
 * Punjani and Fleet, 2012). The 64 bits are split into four 16-bit chunks, and each hash is filed
 * under each of its chunks. By the pigeonhole principle, a hash within {@code d} bits of the query
 * differs from it in at most {@code floor(d / 4)} bits of at least one chunk, so a lookup visits,
 * per chunk, the buckets within that many bits of the query's chunk and verifies their hashes by
 * popcount. Adding and removing are O(bucket). Where the buckets to visit outnumber the table
 * (large distances) a lookup scans one table, which is the linear scan.
 *
 * <p>Ties between equally near hashes go to the smallest (unsigned), so the answer does not depend
 * on the order of insertion. Not thread-safe; the tables (2 MiB) are allocated on the first add.
 */
public final class PhashIndex implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int CHUNKS = 4;
    private static final int CHUNK_BITS = 64 / CHUNKS;
    private static final int BUCKETS = 1 << CHUNK_BITS;

    private final int maxDistance;

    /** The 16-bit masks of at most {@code floor(maxDistance / 4)} set bits. */
    private final int[] flips;

    private final boolean scan;
    private long[][][] buckets;
    private int[][] sizes;
    private int size;

    /**
     * @param maxDistance a listed hash within this many bits of a query matches it, in [0, 64]
     */
    public PhashIndex(int maxDistance) {
        if (maxDistance < 0 || maxDistance > 64) {
            throw new IllegalArgumentException(
                    "maxDistance must be in [0, 64], got " + maxDistance);
        }
        this.maxDistance = maxDistance;
        int radius = maxDistance / CHUNKS;
        this.flips = new int[countMasks(radius)];
        int n = 0;
        for (int mask = 0; mask < BUCKETS; mask++) {
            if (Integer.bitCount(mask) <= radius) {
                flips[n++] = mask;
            }
        }
        this.scan = (long) CHUNKS * flips.length >= BUCKETS;
    }

    private static int countMasks(int radius) {
        int n = 0;
        for (int mask = 0; mask < BUCKETS; mask++) {
            if (Integer.bitCount(mask) <= radius) {
                n++;
            }
        }
        return n;
    }

    /** The largest distance at which a listed hash matches. */
    public int maxDistance() {
        return maxDistance;
    }

    /** How many hashes are listed. */
    public int size() {
        return size;
    }

    /** Adds {@code hash}; returns false when it was listed already. */
    public boolean add(long hash) {
        if (buckets == null) {
            buckets = new long[CHUNKS][BUCKETS][];
            sizes = new int[CHUNKS][BUCKETS];
        }
        if (contains(hash)) {
            return false;
        }
        for (int c = 0; c < CHUNKS; c++) {
            int key = chunk(hash, c);
            long[] bucket = buckets[c][key];
            int n = sizes[c][key];
            if (bucket == null) {
                bucket = new long[2];
            } else if (n == bucket.length) {
                bucket = Arrays.copyOf(bucket, n * 2);
            }
            bucket[n] = hash;
            buckets[c][key] = bucket;
            sizes[c][key] = n + 1;
        }
        size++;
        return true;
    }

    /** Removes {@code hash}; returns false when it was not listed. */
    public boolean remove(long hash) {
        if (!contains(hash)) {
            return false;
        }
        for (int c = 0; c < CHUNKS; c++) {
            int key = chunk(hash, c);
            long[] bucket = buckets[c][key];
            int n = sizes[c][key];
            for (int i = 0; i < n; i++) {
                if (bucket[i] == hash) {
                    bucket[i] = bucket[n - 1];
                    sizes[c][key] = n - 1;
                    break;
                }
            }
            if (n - 1 == 0) {
                buckets[c][key] = null;
            }
        }
        size--;
        return true;
    }

    /** Whether {@code hash} itself is listed. */
    public boolean contains(long hash) {
        if (size == 0) {
            return false;
        }
        int key = chunk(hash, 0);
        long[] bucket = buckets[0][key];
        for (int i = 0, n = sizes[0][key]; i < n; i++) {
            if (bucket[i] == hash) {
                return true;
            }
        }
        return false;
    }

    /**
     * The listed hash nearest to {@code query} within {@link #maxDistance} bits (the smallest of
     * equally near ones); empty when none is that near.
     */
    public OptionalLong nearest(long query) {
        if (size == 0) {
            return OptionalLong.empty();
        }
        Nearest best = new Nearest(query, maxDistance);
        if (scan) {
            for (int key = 0; key < BUCKETS && !best.exact(); key++) {
                best.visit(buckets[0][key], sizes[0][key]);
            }
        } else {
            for (int c = 0; c < CHUNKS && !best.exact(); c++) {
                long[][] table = buckets[c];
                int[] counts = sizes[c];
                int key = chunk(query, c);
                for (int flip : flips) {
                    int k = key ^ flip;
                    if (counts[k] > 0) {
                        best.visit(table[k], counts[k]);
                    }
                }
            }
        }
        return best.found ? OptionalLong.of(best.hash) : OptionalLong.empty();
    }

    private static int chunk(long hash, int c) {
        return (int) (hash >>> (c * CHUNK_BITS)) & (BUCKETS - 1);
    }

    /** The best candidate so far. */
    private static final class Nearest {
        private final long query;
        private boolean found;
        private long hash;
        private int distance;

        Nearest(long query, int maxDistance) {
            this.query = query;
            this.distance = maxDistance;
        }

        /** Whether the query itself was found: nothing can be nearer. */
        boolean exact() {
            return found && distance == 0;
        }

        void visit(long[] bucket, int n) {
            for (int i = 0; i < n; i++) {
                long h = bucket[i];
                int d = Long.bitCount(h ^ query);
                if (d < distance
                        || (d == distance && (!found || Long.compareUnsigned(h, hash) < 0))) {
                    found = true;
                    hash = h;
                    distance = d;
                }
            }
        }
    }
}
