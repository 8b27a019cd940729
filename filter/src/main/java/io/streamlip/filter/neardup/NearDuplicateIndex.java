package io.streamlip.filter.neardup;

import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Near-duplicate removal in memory, for one process: the same decisions the Flink job makes in
 * keyed state, for benchmarks and tools that curate a bounded set without a cluster.
 *
 * <p>An image joins the oldest cluster among the earlier images it is a near copy of ({@link
 * #isNearCopy}: within {@link NearDuplicateConfig#maxDistance()} in hash, found through {@code
 * LshBands}, and within {@link NearDuplicateConfig#maxThumbnailDistance()} in thumbnail), as the
 * job's {@link BandLookupOperator} does, else starts its own. A pair is refused as {@code
 * near_duplicate} when its cluster already accepted the same normalised caption, and as {@code
 * image_cluster_cap} when its cluster already accepted {@link NearDuplicateConfig#clusterCap()}
 * pairs. Not thread-safe.
 *
 * <p>A lookup compares each earlier image once, though a near copy shares most of its band buckets,
 * and rules out by {@link ThumbnailSums} what it can before comparing thumbnails, as the band stage
 * does: neither changes an answer.
 */
public final class NearDuplicateIndex {
    private final NearDuplicateConfig config;
    private final LshBands bands;
    private final Map<Long, List<Member>> buckets = new HashMap<>();
    private final Map<Long, Cluster> clusters = new HashMap<>();
    private long clustersStarted;
    private long lookups;

    private static final class Member {
        final long id;
        final long phash;
        final byte[] thumbnail;
        final long[] sums;
        final long cluster;
        final long clusterOrder;
        long lastLookup = -1; // the lookup that compared this image last

        Member(long id, long phash, byte[] thumbnail, long[] sums, long cluster, long order) {
            this.id = id;
            this.phash = phash;
            this.thumbnail = thumbnail;
            this.sums = sums;
            this.cluster = cluster;
            this.clusterOrder = order;
        }
    }

    private static final class Cluster {
        final Set<String> captions = new HashSet<>();
        long pairs;
    }

    public NearDuplicateIndex(NearDuplicateConfig config) {
        this.config = config;
        this.bands = LshBands.forDistance(config.maxDistance());
    }

    /**
     * The cluster id (the {@link #imageId} of the image that started it) the pair joined, or a
     * refusal.
     *
     * @param thumbnail the image's {@link PerceptualHash#thumbnail}
     */
    public Verdict<Long> admit(long phash, byte[] thumbnail, String normalisedCaption) {
        long cluster = clusterOf(phash, thumbnail);
        Cluster c = clusters.computeIfAbsent(cluster, k -> new Cluster());
        Verdict<Long> verdict =
                decide(cluster, c.captions.contains(normalisedCaption), c.pairs, config);
        if (verdict.accepted()) {
            c.captions.add(normalisedCaption);
            c.pairs++;
        }
        return verdict;
    }

    /**
     * What identifies an image in the near-duplicate state: 64 bits of the SHA-256 of its hash and
     * thumbnail. Two different images with the same 64-bit hash (small icons that differ only in
     * colour) get different ids, so their clusters stay apart.
     */
    static long imageId(long phash, byte[] thumbnail) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(phash).array());
        digest.update(thumbnail);
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    /**
     * Whether an image is a near copy of another: hashes within {@link
     * NearDuplicateConfig#maxDistance()} and thumbnails within {@link
     * NearDuplicateConfig#maxThumbnailDistance()}. Shared with the job's band stage.
     */
    static boolean isNearCopy(
            long phash,
            byte[] thumbnail,
            long otherHash,
            byte[] otherThumbnail,
            NearDuplicateConfig config) {
        return PerceptualHash.distance(phash, otherHash) <= config.maxDistance()
                && PerceptualHash.thumbnailWithin(
                        thumbnail, otherThumbnail, config.maxThumbnailDistance());
    }

    /**
     * The decision for a pair joining {@code cluster}, shared with the job's keyed stage: refused
     * as {@code near_duplicate} when the cluster already accepted the same caption, as {@code
     * image_cluster_cap} when it already holds {@link NearDuplicateConfig#clusterCap()} pairs.
     *
     * @param sameCaption whether the cluster accepted the pair's normalised caption before
     * @param pairs how many pairs the cluster accepted before
     */
    static Verdict<Long> decide(
            long cluster, boolean sameCaption, long pairs, NearDuplicateConfig config) {
        if (sameCaption) {
            return Verdict.refuse(
                    RejectReason.NEAR_DUPLICATE,
                    String.format(
                            "a near copy (cluster %016x) with the same caption was accepted",
                            cluster));
        }
        if (pairs >= config.clusterCap()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_CLUSTER_CAP,
                    String.format(
                            "image cluster %016x already has %d pairs (cap %d)",
                            cluster, pairs, config.clusterCap()));
        }
        return Verdict.accept(cluster);
    }

    /**
     * Finds the oldest cluster among the earlier near copies, or makes {@code phash} a new cluster.
     */
    private long clusterOf(long phash, byte[] thumbnail) {
        long[] keys = bands.keys(phash);
        long id = imageId(phash, thumbnail);
        long[] sums = ThumbnailSums.of(thumbnail);
        long lookup = lookups++;
        Member oldest = null;
        boolean stored = false;
        for (long key : keys) {
            for (Member m : buckets.getOrDefault(key, List.of())) {
                if (m.lastLookup == lookup) {
                    continue;
                }
                m.lastLookup = lookup;
                if (PerceptualHash.distance(phash, m.phash) <= config.maxDistance()
                        && !ThumbnailSums.fartherThan(
                                sums, m.sums, thumbnail.length, config.maxThumbnailDistance())
                        && isNearCopy(phash, thumbnail, m.phash, m.thumbnail, config)) {
                    if (oldest == null || m.clusterOrder < oldest.clusterOrder) {
                        oldest = m;
                    }
                    stored |= m.id == id;
                }
            }
        }
        if (stored) {
            return oldest.cluster; // this very image is stored already
        }
        Member me =
                oldest == null
                        ? new Member(id, phash, thumbnail, sums, id, clustersStarted++)
                        : new Member(
                                id, phash, thumbnail, sums, oldest.cluster, oldest.clusterOrder);
        long cluster = me.cluster;
        for (long key : keys) {
            buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(me);
        }
        return cluster;
    }
}
