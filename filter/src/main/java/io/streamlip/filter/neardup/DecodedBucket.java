package io.streamlip.filter.neardup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A band bucket as {@link BandLookupOperator} scans it: its {@link BandMember} rows decoded into
 * one array per field, members numbered in the order of the state's chunks. The scan for hash-near
 * members then reads 8 bytes a member in order, without a branch per member ({@link #hashNear}),
 * and only those members' other fields are read. A bucket of repeated shapes holds thousands of
 * members of which a sixth are hash-near, so the branch a member cost was mispredicted often
 * (bench/results/datapath-2026-12-07e.md). The bucket holds as many bytes as its rows; the state
 * keeps the rows ({@link #encode} writes them back).
 */
final class DecodedBucket {
    /** Heap bytes a member slot costs: its eight fields. */
    private static final int BYTES_PER_SLOT = BandMember.BYTES;

    /** Heap bytes charged per bucket (the object and its arrays' headers). */
    private static final int BUCKET_OVERHEAD = 256;

    private long[] hashes;
    private long[] imageIds;
    private long[] clusters;
    private long[] clusterTimes;
    private long[] writes;
    private long[] sums0;
    private long[] sums1;
    private long[] sums2;
    private int size;
    private int chunks;
    private long oldestWrite = Long.MAX_VALUE;

    private DecodedBucket(int capacity) {
        hashes = new long[capacity];
        imageIds = new long[capacity];
        clusters = new long[capacity];
        clusterTimes = new long[capacity];
        writes = new long[capacity];
        sums0 = new long[capacity];
        sums1 = new long[capacity];
        sums2 = new long[capacity];
    }

    /** An empty bucket. */
    static DecodedBucket empty() {
        return new DecodedBucket(4);
    }

    /** The bucket of {@code chunks} as read from state (null: an empty bucket). */
    static DecodedBucket of(Iterable<byte[]> chunks) {
        if (chunks == null) {
            return empty();
        }
        // One pass over what the state returned: it need not be iterable twice.
        List<byte[]> read = new ArrayList<>();
        int members = 0;
        for (byte[] chunk : chunks) {
            members += BandMember.check(chunk).length / BandMember.BYTES;
            read.add(chunk);
        }
        DecodedBucket bucket = new DecodedBucket(Math.max(4, members));
        read.forEach(bucket::add);
        return bucket;
    }

    /** Appends {@code chunk}'s members, as the state's list append does. */
    void add(byte[] chunk) {
        int members = BandMember.check(chunk).length / BandMember.BYTES;
        if (size + members > hashes.length) {
            grow(Math.max(size + members, hashes.length * 2));
        }
        for (int at = 0; at < chunk.length; at += BandMember.BYTES) {
            hashes[size] = BandMember.phash(chunk, at);
            imageIds[size] = BandMember.imageId(chunk, at);
            clusters[size] = BandMember.cluster(chunk, at);
            clusterTimes[size] = BandMember.clusterTime(chunk, at);
            writes[size] = BandMember.writtenAt(chunk, at);
            sums0[size] = BandMember.sum(chunk, at, 0);
            sums1[size] = BandMember.sum(chunk, at, 1);
            sums2[size] = BandMember.sum(chunk, at, 2);
            oldestWrite = Math.min(oldestWrite, writes[size]);
            size++;
        }
        chunks++;
    }

    /**
     * Writes into {@code into} the numbers of the members whose hash lies within {@code
     * maxDistance} bits of {@code hash}, in order, and returns how many there are. {@code into}
     * must hold {@link #size()} numbers.
     */
    int hashNear(long hash, int maxDistance, int[] into) {
        int count = 0;
        for (int i = 0; i < size; i++) {
            into[count] = i;
            // 1 when the distance is at most maxDistance, else 0: no branch to mispredict.
            count += ((maxDistance - Long.bitCount(hash ^ hashes[i])) >>> 31) ^ 1;
        }
        return count;
    }

    /** Members in the bucket. */
    int size() {
        return size;
    }

    /** The chunks the state holds the members in: a rewrite makes them one. */
    int chunks() {
        return chunks;
    }

    long hash(int i) {
        return hashes[i];
    }

    long imageId(int i) {
        return imageIds[i];
    }

    long cluster(int i) {
        return clusters[i];
    }

    long clusterTime(int i) {
        return clusterTimes[i];
    }

    /**
     * {@link ThumbnailSums#fartherThan}: whether member {@code i}'s thumbnail cannot lie within
     * {@code maxDistance} of one of {@code length} bytes summarised by {@code sums}.
     */
    boolean sumsFartherThan(int i, long[] sums, int length, double maxDistance) {
        return ThumbnailSums.fartherThan(sums, sums0[i], sums1[i], sums2[i], length, maxDistance);
    }

    /**
     * Whether member {@code i} is past {@code retentionMillis} at processing time {@code now}: as
     * Flink's own TTL (expired {@code retentionMillis} after the write, never returned after).
     */
    boolean expired(int i, long now, long retentionMillis) {
        return writes[i] + retentionMillis <= now;
    }

    /** Whether any member is {@link #expired} at {@code now}: whether the oldest one is. */
    boolean anyExpired(long now, long retentionMillis) {
        return size > 0 && oldestWrite + retentionMillis <= now;
    }

    /** How many members are {@link #expired} at {@code now}. */
    int expired(long now, long retentionMillis) {
        int expired = 0;
        for (int i = 0; i < size; i++) {
            if (expired(i, now, retentionMillis)) {
                expired++;
            }
        }
        return expired;
    }

    /**
     * The rows of the members not {@link #expired} at {@code now}, in order, then {@code added}
     * when not null: the bucket rewritten as one chunk.
     */
    byte[] encode(long now, long retentionMillis, byte[] added) {
        int kept = size - expired(now, retentionMillis);
        byte[] chunk = new byte[kept * BandMember.BYTES + (added == null ? 0 : added.length)];
        int at = 0;
        for (int i = 0; i < size; i++) {
            if (!expired(i, now, retentionMillis)) {
                BandMember.write(
                        chunk,
                        at,
                        hashes[i],
                        imageIds[i],
                        sums0[i],
                        sums1[i],
                        sums2[i],
                        clusters[i],
                        clusterTimes[i],
                        writes[i]);
                at += BandMember.BYTES;
            }
        }
        if (added != null) {
            System.arraycopy(added, 0, chunk, at, added.length);
        }
        return chunk;
    }

    /** What the bucket holds on the heap, about: its arrays (all slots) and overheads. */
    long heapBytes() {
        return BUCKET_OVERHEAD + (long) hashes.length * BYTES_PER_SLOT;
    }

    private void grow(int capacity) {
        hashes = Arrays.copyOf(hashes, capacity);
        imageIds = Arrays.copyOf(imageIds, capacity);
        clusters = Arrays.copyOf(clusters, capacity);
        clusterTimes = Arrays.copyOf(clusterTimes, capacity);
        writes = Arrays.copyOf(writes, capacity);
        sums0 = Arrays.copyOf(sums0, capacity);
        sums1 = Arrays.copyOf(sums1, capacity);
        sums2 = Arrays.copyOf(sums2, capacity);
    }
}
