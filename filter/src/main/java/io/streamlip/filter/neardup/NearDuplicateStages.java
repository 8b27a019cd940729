package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.schemas.CuratedPair;
import java.util.Objects;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Near-duplicate removal and the image-cluster cap in the Flink job, in three keyed stages whose
 * long-lived state is on the job's state backend: {@link BandLookupOperator} (keyed by {@link
 * LshBands} band key, one message per pair and task, {@link ProbeGroups}: the oldest cluster among
 * the buckets' near copies, or none), {@link ClusterAssignFunction} (keyed by pair: joins the
 * oldest cluster answered, or starts one; what waits for its answers is on the heap up to a bound,
 * beyond it in keyed state) and {@link ClusterAdmitFunction} (keyed by cluster: the same caption
 * again is a near duplicate; beyond the cap, the cluster is full).
 *
 * <p>Two near copies share at least one band key, so a near copy is never missed for want of a
 * shared bucket. The decisions are those of {@link NearDuplicateIndex} but for races under
 * parallelism, which can let a near copy through but never refuse a clean pair the one-process
 * index would keep (docs/decisions/near-duplicates.md lists them).
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
                unique.flatMap(new ProbeGroups(bands), BandProbe.typeInfo())
                        .name("near-duplicate-probes")
                        .uid(stage + "-near-duplicate-probes")
                        // The first band key routes the probe; the operator keys the others itself.
                        .keyBy(probe -> probe.bandKeys[0], Types.LONG)
                        .transform(
                                "near-duplicate-bands",
                                BandAnswer.typeInfo(),
                                new BandLookupOperator(config))
                        .uid(stage + "-near-duplicate-bands");
        SingleOutputStreamOperator<ClusteredEnvelope> clustered =
                unique.connect(answers)
                        .keyBy(NearDuplicateStages::pairKey, answer -> answer.pairKey, Types.STRING)
                        .process(new ClusterAssignFunction(config), ClusteredEnvelope.typeInfo())
                        // Not "-near-duplicate-clusters": that operator kept the waiting pairs in
                        // keyed state, this one on the heap (docs/decisions/near-duplicates.md).
                        .name("near-duplicate-join")
                        .uid(stage + "-near-duplicate-join");
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

    static long phash(CuratedEnvelope pair) {
        return Objects.requireNonNull(
                pair.pair.getPhash(),
                "a curated pair without a perceptual hash (PairCurator always computes it)");
    }
}
