package io.streamlip.filter;

/**
 * One image remembered by an LSH band bucket ({@link BandLookupFunction}), packed as a {@code
 * long[]} of {@value #LONGS} values so that a bucket is a list of small primitive arrays on the
 * state backend: reading a bucket of a few thousand members is one RocksDB read and a few thousand
 * array copies, where a map state entry per member cost an iterator step, a key comparison, a TTL
 * wrapper and a boxed tuple each.
 *
 * <p>The layout: {@code [phash, imageId, cluster, clusterTime, writtenAt, sums...]}. {@code
 * writtenAt} is the processing time the member was stored, for the retention ({@link #expired}):
 * the state's time-to-live is kept by hand, since a whole list has one Flink TTL, not one per
 * element. {@code sums} is the {@link ThumbnailSums} of the image's thumbnail, which rules out most
 * hash-near candidates before their thumbnail is read.
 */
final class BandMember {
    /** Longs per member. */
    static final int LONGS = 5 + ThumbnailSums.LONGS;

    private static final int PHASH = 0;
    private static final int IMAGE_ID = 1;
    private static final int CLUSTER = 2;
    private static final int CLUSTER_TIME = 3;
    private static final int WRITTEN_AT = 4;
    private static final int SUMS = 5;

    private BandMember() {}

    /**
     * A member: an image with its hash, thumbnail summary ({@link ThumbnailSums#of}) and cluster,
     * stored at processing time {@code now}.
     */
    static long[] of(
            long phash, long imageId, long[] sums, long cluster, long clusterTime, long now) {
        long[] member = new long[LONGS];
        member[PHASH] = phash;
        member[IMAGE_ID] = imageId;
        member[CLUSTER] = cluster;
        member[CLUSTER_TIME] = clusterTime;
        member[WRITTEN_AT] = now;
        System.arraycopy(sums, 0, member, SUMS, ThumbnailSums.LONGS);
        return member;
    }

    /** The member's {@link ThumbnailSums}, as a new array. */
    static long[] sums(long[] member) {
        return java.util.Arrays.copyOfRange(member, SUMS, SUMS + ThumbnailSums.LONGS);
    }

    static long phash(long[] member) {
        return member[PHASH];
    }

    static long imageId(long[] member) {
        return member[IMAGE_ID];
    }

    static long cluster(long[] member) {
        return member[CLUSTER];
    }

    static long clusterTime(long[] member) {
        return member[CLUSTER_TIME];
    }

    /**
     * Whether the member is past the retention at processing time {@code now}: as Flink's own TTL
     * (written once, expired {@code retentionMillis} after the write, never returned after).
     */
    static boolean expired(long[] member, long now, long retentionMillis) {
        return member[WRITTEN_AT] + retentionMillis <= now;
    }

    /** Checks a value read back from state, so a wrong layout fails loudly. */
    static long[] check(long[] member) {
        if (member == null || member.length != LONGS) {
            throw new IllegalStateException(
                    "a band member must have "
                            + LONGS
                            + " longs, got "
                            + (member == null ? "null" : member.length));
        }
        return member;
    }
}
