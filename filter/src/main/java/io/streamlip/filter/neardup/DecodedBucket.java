package io.streamlip.filter.neardup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A band bucket as {@link BandLookupOperator} scans it: its chunks as the state holds them ({@link
 * BandMember} rows), and beside them each member's hash and write time in arrays of their own. The
 * scan for hash-near members then reads 8 bytes a member in order instead of touching each member's
 * 64-byte row, and a bucket whose oldest member is within the retention (the usual case) is not
 * checked member by member for expiry. Members are numbered in the order of the chunks.
 */
final class DecodedBucket {
    /** Heap bytes a member slot costs beside the rows: hash, write time, chunk and offset. */
    private static final int BYTES_PER_SLOT = 2 * Long.BYTES + 2 * Integer.BYTES;

    /** Heap bytes charged per chunk beyond its contents (array header, list slot). */
    private static final int CHUNK_OVERHEAD = 24;

    /** Heap bytes charged per bucket (the object, its list and its arrays' headers). */
    private static final int BUCKET_OVERHEAD = 192;

    private final List<byte[]> chunks = new ArrayList<>();
    private long[] hashes;
    private long[] writes;
    private byte[][] chunkOf;
    private int[] offsetOf;
    private int size;
    private long oldestWrite = Long.MAX_VALUE;
    private long chunkBytes;

    private DecodedBucket(int capacity) {
        hashes = new long[capacity];
        writes = new long[capacity];
        chunkOf = new byte[capacity][];
        offsetOf = new int[capacity];
    }

    /** An empty bucket. */
    static DecodedBucket empty() {
        return new DecodedBucket(4);
    }

    /**
     * The bucket of {@code chunks} (read from state: each is checked with {@link
     * BandMember#check}).
     */
    static DecodedBucket of(Iterable<byte[]> chunks) {
        List<byte[]> checked = new ArrayList<>();
        int members = 0;
        if (chunks != null) {
            for (byte[] chunk : chunks) {
                checked.add(BandMember.check(chunk));
                members += chunk.length / BandMember.BYTES;
            }
        }
        DecodedBucket bucket = new DecodedBucket(Math.max(4, members));
        checked.forEach(bucket::add);
        return bucket;
    }

    /** Appends {@code chunk}'s members, as the state's list append does. */
    void add(byte[] chunk) {
        BandMember.check(chunk);
        int members = chunk.length / BandMember.BYTES;
        if (size + members > hashes.length) {
            int capacity = Math.max(size + members, hashes.length * 2);
            hashes = Arrays.copyOf(hashes, capacity);
            writes = Arrays.copyOf(writes, capacity);
            chunkOf = Arrays.copyOf(chunkOf, capacity);
            offsetOf = Arrays.copyOf(offsetOf, capacity);
        }
        for (int at = 0; at < chunk.length; at += BandMember.BYTES) {
            hashes[size] = BandMember.phash(chunk, at);
            writes[size] = BandMember.writtenAt(chunk, at);
            chunkOf[size] = chunk;
            offsetOf[size] = at;
            oldestWrite = Math.min(oldestWrite, writes[size]);
            size++;
        }
        chunks.add(chunk);
        chunkBytes += chunk.length + CHUNK_OVERHEAD;
    }

    /** What the bucket holds on the heap, about: its rows, its arrays (all slots) and overheads. */
    long heapBytes() {
        return BUCKET_OVERHEAD + chunkBytes + (long) hashes.length * BYTES_PER_SLOT;
    }

    /** The chunks, in order. Do not change the list. */
    List<byte[]> chunks() {
        return chunks;
    }

    /** Members in all chunks. */
    int size() {
        return size;
    }

    /** The members' hashes: the first {@link #size()} are the members'. Do not change them. */
    long[] hashes() {
        return hashes;
    }

    /** The processing time member {@code i} was stored at. */
    long writtenAt(int i) {
        return writes[i];
    }

    /** The earliest {@link #writtenAt}, or {@code Long.MAX_VALUE} for an empty bucket. */
    long oldestWrite() {
        return oldestWrite;
    }

    /** The chunk member {@code i} lies in. */
    byte[] chunk(int i) {
        return chunkOf[i];
    }

    /** Where member {@code i} starts in its {@link #chunk}. */
    int offset(int i) {
        return offsetOf[i];
    }
}
