package io.streamlip.filter.neardup;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The images an LSH band bucket remembers ({@link BandLookupOperator}), packed {@value #BYTES}
 * bytes each into byte chunks, so that a bucket is a short list of byte arrays on the state
 * backend: reading a bucket of a few thousand members is one RocksDB read and a few array copies,
 * and scanning it reads a hash straight out of the bytes. (A map state entry per member cost an
 * iterator step, a key comparison, a TTL wrapper and a boxed tuple each; a {@code long[]} per list
 * element still cost an element's deserialisation, a third of the job's time on repeated shapes.)
 *
 * <p>A member's layout, big-endian longs: {@code [phash, imageId, cluster, clusterTime, writtenAt,
 * sums...]}. {@code writtenAt} is the processing time the member was stored, for the retention
 * ({@link #expired}): the state's time-to-live is kept by hand, since a whole list has one Flink
 * TTL, not one per element. {@code sums} is the {@link ThumbnailSums} of the image's thumbnail,
 * which rules out most hash-near candidates before their thumbnail is read.
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
        put(member, 0, PHASH, phash);
        put(member, 0, IMAGE_ID, imageId);
        put(member, 0, CLUSTER, cluster);
        put(member, 0, CLUSTER_TIME, clusterTime);
        put(member, 0, WRITTEN_AT, now);
        for (int i = 0; i < ThumbnailSums.LONGS; i++) {
            put(member, 0, SUMS + i, sums[i]);
        }
        return member;
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

    /**
     * Reads the member's {@link ThumbnailSums} into {@code into} ({@value ThumbnailSums#LONGS}).
     */
    static void sums(byte[] chunk, int offset, long[] into) {
        for (int i = 0; i < ThumbnailSums.LONGS; i++) {
            into[i] = get(chunk, offset, SUMS + i);
        }
    }

    /**
     * Whether the member is past the retention at processing time {@code now}: as Flink's own TTL
     * (written once, expired {@code retentionMillis} after the write, never returned after).
     */
    static boolean expired(byte[] chunk, int offset, long now, long retentionMillis) {
        return writtenAt(chunk, offset) + retentionMillis <= now;
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
