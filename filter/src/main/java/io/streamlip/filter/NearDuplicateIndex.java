package io.streamlip.filter;

import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
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
 * <p>An image joins the cluster of the first earlier image within {@link
 * NearDuplicateConfig#maxDistance()} (found through {@link LshBands}), else starts its own. A pair
 * is refused as {@code near_duplicate} when its cluster already accepted the same normalised
 * caption, and as {@code image_cluster_cap} when its cluster already accepted {@link
 * NearDuplicateConfig#clusterCap()} pairs. Not thread-safe.
 */
public final class NearDuplicateIndex {
    private final NearDuplicateConfig config;
    private final LshBands bands;
    private final Map<Long, List<long[]>> buckets = new HashMap<>();
    private final Map<Long, Cluster> clusters = new HashMap<>();

    private static final class Cluster {
        final Set<String> captions = new HashSet<>();
        long pairs;
    }

    public NearDuplicateIndex(NearDuplicateConfig config) {
        this.config = config;
        this.bands = LshBands.forDistance(config.maxDistance());
    }

    /** The cluster id (the first image's pHash) the pair joined, or a refusal. */
    public Verdict<Long> admit(long phash, String normalisedCaption) {
        long cluster = clusterOf(phash);
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

    /** Finds the cluster of the nearest earlier image, or makes {@code phash} a new cluster. */
    private long clusterOf(long phash) {
        long[] keys = bands.keys(phash);
        long best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (long key : keys) {
            for (long[] entry : buckets.getOrDefault(key, List.of())) {
                int d = PerceptualHash.distance(phash, entry[0]);
                if (d <= config.maxDistance() && d < bestDistance) {
                    bestDistance = d;
                    best = entry[1];
                }
            }
        }
        if (bestDistance == 0) {
            return best; // this very hash is stored already
        }
        long cluster = bestDistance == Integer.MAX_VALUE ? phash : best;
        for (long key : keys) {
            buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {phash, cluster});
        }
        return cluster;
    }
}
