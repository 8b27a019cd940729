package io.streamlip.filter.neardup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The images an LSH band bucket remembers ({@link BandLookupOperator}), packed {@value #BYTES}
 * bytes each into byte chunks, so that a bucket is a short list of byte arrays on the state
 * backend: reading a bucket of a few thousand members is one RocksDB read and a few array copies,
 * after which the task keeps it decoded ({@link DecodedBucket}). (A map state entry per member cost
 * an iterator step, a key comparison, a TTL wrapper and a boxed tuple each; a {@code long[]} per
 * list element still cost an element's deserialisation, a third of the job's time on repeated
 * shapes.)
 *
 * <p>A member's layout, big-endian longs: {@code [phash, imageId, cluster, clusterTime, writtenAt,
 * sums...]}. {@code writtenAt} is the processing time the member was stored, for the retention
 * ({@link DecodedBucket#expired}): the state's time-to-live is kept by hand, since a whole list has
 * one Flink TTL, not one per element. {@code sums} is the {@link ThumbnailSums} of the image's
 * thumbnail, which rules out most hash-near candidates before their thumbnail is read.
 */
final class BandMember {
    /** Longs per member. */
    static final int LONGS = 5 + ThumbnailSums.LONGS;

    /** Bytes per member. */
    static final int BYTES = LONGS * Long.BYTES;

    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final int PHASH = 0;
    private static final int IMAGE_ID = 1;
    private static final int CLUSTER = 2;
    private static final int CLUSTER_TIME = 3;
    private static final int WRITTEN_AT = 4;
    private static final int SUMS = 5;

    private BandMember() {}

    /**
     * A chunk of one member: an image with its hash, thumbnail summary ({@link ThumbnailSums#of})
     * and cluster, stored at processing time {@code now}.
     */
    static byte[] of(
            long phash, long imageId, long[] sums, long cluster, long clusterTime, long now) {
        byte[] member = new byte[BYTES];
        write(member, 0, phash, imageId, sums[0], sums[1], sums[2], cluster, clusterTime, now);
        return member;
    }

    /** Writes a member into {@code chunk} at {@code offset}: the fields of {@link #of}. */
    static void write(
            byte[] chunk,
            int offset,
            long phash,
            long imageId,
            long sum0,
            long sum1,
            long sum2,
            long cluster,
            long clusterTime,
            long writtenAt) {
        put(chunk, offset, PHASH, phash);
        put(chunk, offset, IMAGE_ID, imageId);
        put(chunk, offset, CLUSTER, cluster);
        put(chunk, offset, CLUSTER_TIME, clusterTime);
        put(chunk, offset, WRITTEN_AT, writtenAt);
        put(chunk, offset, SUMS, sum0);
        put(chunk, offset, SUMS + 1, sum1);
        put(chunk, offset, SUMS + 2, sum2);
    }

    static long phash(byte[] chunk, int offset) {
        return get(chunk, offset, PHASH);
    }

    static long imageId(byte[] chunk, int offset) {
        return get(chunk, offset, IMAGE_ID);
    }

    static long cluster(byte[] chunk, int offset) {
        return get(chunk, offset, CLUSTER);
    }

    static long clusterTime(byte[] chunk, int offset) {
        return get(chunk, offset, CLUSTER_TIME);
    }

    /** The processing time the member was stored at. */
    static long writtenAt(byte[] chunk, int offset) {
        return get(chunk, offset, WRITTEN_AT);
    }

    /** Long {@code i} (from 0) of the member's {@link ThumbnailSums}. */
    static long sum(byte[] chunk, int offset, int i) {
        return get(chunk, offset, SUMS + i);
    }

    /** Checks a chunk read back from state, so a wrong layout fails loudly. */
    static byte[] check(byte[] chunk) {
        if (chunk == null || chunk.length % BYTES != 0) {
            throw new IllegalStateException(
                    "a band bucket chunk must hold whole members of "
                            + BYTES
                            + " bytes, got "
                            + (chunk == null ? "null" : chunk.length + " bytes"));
        }
        return chunk;
    }

    private static long get(byte[] chunk, int offset, int field) {
        return (long) LONG.get(chunk, offset + field * Long.BYTES);
    }

    private static void put(byte[] chunk, int offset, int field, long value) {
        LONG.set(chunk, offset + field * Long.BYTES, value);
    }
}
