package io.streamlip.filter.neardup;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The band buckets a {@link BandLookupOperator} task read last, decoded ({@link DecodedBucket}), on
 * the heap: a write-through copy of its keyed state, so a probe of a bucket seen recently costs no
 * state read. Without it every probe read its whole bucket from RocksDB (a get that merges the
 * appended chunks, a copy across JNI and one per chunk while Flink splits the list), the largest
 * CPU share of the job (bench/results/datapath-2026-11-27.md).
 *
 * <p>The state stays the truth: every change is written to it as before, and the cache only ever
 * holds what the state holds, because the task is the only writer of its keys and the cache lives
 * and dies with the task (a restored or rescaled task starts empty and reads its state). Least
 * recently used buckets are dropped once their heap bytes ({@link DecodedBucket#heapBytes}) exceed
 * the byte budget; a bucket larger than the whole budget is not kept.
 */
final class BucketCache {
    /**
     * Band keys carry the band number in the top byte and a few hash bits at the bottom, which
     * {@code Long.hashCode} folds onto a few dozen hash-table bins (collision chains turned into
     * trees showed in the profile); the map is keyed by the key times this odd constant, a
     * one-to-one mixing.
     */
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final long budgetBytes;
    private final LinkedHashMap<Long, Entry> buckets = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    /**
     * @param budgetBytes most bytes of chunks to keep; 0 keeps nothing
     */
    BucketCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("budgetBytes must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /**
     * Bucket {@code key}, or null when it is not cached. Change it only through {@link #append}.
     */
    DecodedBucket get(long key) {
        Entry entry = buckets.get(key * MIX);
        return entry == null ? null : entry.bucket;
    }

    /** Caches bucket {@code key} as {@code bucket}, which the cache then owns. */
    void put(long key, DecodedBucket bucket) {
        remove(key);
        Entry entry = new Entry(bucket);
        if (entry.bytes > budgetBytes) {
            return; // would push out everything else and still not fit
        }
        buckets.put(key * MIX, entry);
        bytes += entry.bytes;
        evict();
    }

    /** Adds {@code chunk} to bucket {@code key} when it is cached (as the state's list append). */
    void append(long key, byte[] chunk) {
        Entry entry = buckets.get(key * MIX);
        if (entry == null) {
            return;
        }
        entry.bucket.add(chunk);
        long grown = entry.bucket.heapBytes();
        bytes += grown - entry.bytes;
        entry.bytes = grown;
        if (grown > budgetBytes) {
            remove(key);
        } else {
            evict();
        }
    }

    /** Forgets bucket {@code key}. */
    void remove(long key) {
        Entry old = buckets.remove(key * MIX);
        if (old != null) {
            bytes -= old.bytes;
        }
    }

    /** Bytes charged for what is cached now. */
    long bytes() {
        return bytes;
    }

    /** Buckets cached now. */
    int size() {
        return buckets.size();
    }

    private void evict() {
        Iterator<Map.Entry<Long, Entry>> eldest = buckets.entrySet().iterator();
        while (bytes > budgetBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().bytes;
            eldest.remove();
        }
    }

    private static final class Entry {
        final DecodedBucket bucket;
        long bytes;

        Entry(DecodedBucket bucket) {
            this.bucket = bucket;
            this.bytes = bucket.heapBytes();
        }
    }
}
