package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.ingest.flink.EnvelopeStage;
import io.streamlip.schemas.CuratedPair;
import java.util.Objects;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Near-duplicate removal and the image-cluster cap in the Flink job, in three keyed stages whose
 * state is on the job's state backend (RocksDB), so it survives restarts and spreads over the
 * parallel tasks by key:
 *
 * <ol>
 *   <li>{@link BandLookupFunction}, keyed by {@link LshBands} band key: each pair sends one probe
 *       per band ({@code k + 1} of them); the bucket answers the oldest cluster among its images
 *       that are near copies ({@link NearDuplicateIndex#isNearCopy}: within Hamming distance {@code
 *       k}, confirmed by the thumbnail), or none;
 *   <li>{@link ClusterAssignFunction}, keyed by pair: joins the pair with its band answers and
 *       picks the oldest cluster answered, or starts a new one (its own image id);
 *   <li>{@link ClusterAdmitFunction}, keyed by cluster: the same normalised caption again is a near
 *       duplicate; beyond the cap, the cluster is full.
 * </ol>
 *
 * <p>Two near copies (within {@code k}) share at least one band key, so their probes meet in one
 * bucket, where the one processed later finds the earlier: a near copy is never missed for want of
 * a shared bucket. A pair joins the oldest cluster (by the record time of the image that started
 * it) any of its buckets found. The decisions are those of {@link NearDuplicateIndex} (one process)
 * but for races under parallelism, documented rather than prevented:
 *
 * <ul>
 *   <li>two near copies whose probes are processed in opposite orders in two shared buckets (they
 *       came through different parallel tasks at the same time) each find the other and may label
 *       each other's cluster, so both can be kept with the same caption;
 *   <li>the order in which a cluster sees its pairs is the processing order, not the Kafka order
 *       (exact deduplication redistributes pairs by their key), so which captions fit under the cap
 *       is not fixed; how many do is;
 *   <li>a bucket stores an image under the cluster it found there (or as a new cluster), while the
 *       pair may have joined an older cluster found in another bucket, so a later image near only
 *       to it can land in a younger cluster; chains (A near B near C, A not near C) join clusters
 *       by whom each found, as in the one-process index.
 * </ul>
 *
 * Each of these can let a near copy through; none refuses a clean pair that the one-process index
 * would keep, except that a cap may be reached by other captions.
 */
public final class NearDuplicateStages {
    private NearDuplicateStages() {}

    /**
     * Adds the three stages after exact deduplication.
     *
     * @param stage the job's stage: it prefixes the operator uids and names the refusals
     * @return the pairs kept; refusals are on its side output {@link EnvelopeStage#rejects(String)
     *     rejects(stage)}
     */
    public static SingleOutputStreamOperator<CuratedPair> attach(
            DataStream<CuratedEnvelope> unique, FilterConfig config, String stage) {
        LshBands bands = LshBands.forDistance(config.nearDuplicates().maxDistance());
        SingleOutputStreamOperator<BandAnswer> answers =
                unique.<BandProbe>flatMap(
                                (pair, out) -> {
                                    long phash = phash(pair);
                                    String key = pairKey(pair);
                                    long imageId =
                                            NearDuplicateIndex.imageId(phash, pair.thumbnail);
                                    long[] sums = ThumbnailSums.of(pair.thumbnail);
                                    for (long band : bands.keys(phash)) {
                                        out.collect(
                                                new BandProbe(
                                                        key,
                                                        band,
                                                        phash,
                                                        pair.thumbnail,
                                                        imageId,
                                                        pair.source.timestamp,
                                                        sums));
                                    }
                                },
                                BandProbe.typeInfo())
                        .name("near-duplicate-probes")
                        .uid(stage + "-near-duplicate-probes")
                        .keyBy(probe -> probe.bandKey, Types.LONG)
                        .process(new BandLookupFunction(config), BandAnswer.typeInfo())
                        .name("near-duplicate-bands")
                        .uid(stage + "-near-duplicate-bands");
        SingleOutputStreamOperator<ClusteredEnvelope> clustered =
                unique.connect(answers)
                        .keyBy(NearDuplicateStages::pairKey, answer -> answer.pairKey, Types.STRING)
                        .process(new ClusterAssignFunction(config), ClusteredEnvelope.typeInfo())
                        .name("near-duplicate-clusters")
                        .uid(stage + "-near-duplicate-clusters");
        return clustered
                .keyBy(c -> c.cluster, Types.LONG)
                .process(
                        new ClusterAdmitFunction(config, stage),
                        EnvelopeStage.avroType(CuratedPair.class))
                .name("near-duplicate-admit")
                .uid(stage + "-near-duplicate-admit");
    }

    /**
     * What identifies one pair between the stages: its Kafka record (topic, partition, offset),
     * unique per record, with the pair id for readability.
     */
    static String pairKey(CuratedEnvelope pair) {
        return pair.source.topic
                + "/"
                + pair.source.partition
                + "@"
                + pair.source.offset
                + "/"
                + pair.pair.getPair().getId();
    }

    /** Whether cluster {@code a} (started at {@code aTime}) is older than {@code b}. */
    static boolean older(long a, long aTime, long b, long bTime) {
        return compareAge(a, aTime, b, bTime) < 0;
    }

    /** The order of {@link #older}: negative when cluster {@code a} is the older one. */
    static int compareAge(long a, long aTime, long b, long bTime) {
        return aTime != bTime ? Long.compare(aTime, bTime) : Long.compareUnsigned(a, b);
    }

    /** The state retention: as long as exact deduplication remembers a pair. */
    static StateTtlConfig ttl(FilterConfig config) {
        return StateTtlConfig.newBuilder(config.dedupRetention())
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
    }

    private static long phash(CuratedEnvelope pair) {
        return Objects.requireNonNull(
                pair.pair.getPhash(),
                "a curated pair without a perceptual hash (PairCurator always computes it)");
    }
}
