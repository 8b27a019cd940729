package io.streamlip.filter;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an {@link LshBands} band key: the images seen in this band bucket, on the state backend
 * (RocksDB): {@code band-bucket} lists each image's hash, thumbnail summary and cluster ({@link
 * BandMember}, 64 bytes), {@code band-thumbnails} holds its {@link PerceptualHash#thumbnail} by
 * {@link NearDuplicateIndex#imageId}, read only for the members whose hash is within {@link
 * NearDuplicateConfig#maxDistance()} and whose {@link ThumbnailSums} do not already rule a near
 * copy out. For each probe it answers the oldest cluster among the bucket's near copies of the
 * probe's image ({@link NearDuplicateIndex#isNearCopy}: hash, then thumbnail), or none; then
 * remembers the probe's image with that cluster, or as a new cluster of its own when none was found
 * here.
 *
 * <p>The scan is linear in the bucket: with {@code k + 1} bands of about {@code 64 / (k + 1)} bits
 * each (5 bits at k = 12), a bucket holds about 1/32 of the images its band has seen within the
 * retention, which bounds how many images the job can keep (see {@link FilterJob}). So the bucket
 * is one list state of primitive arrays: reading it is one RocksDB read, and storing an image is
 * one append (a RocksDB merge, no read-modify-write). Members past {@link
 * FilterConfig#dedupRetention()} are skipped (as Flink's TTL never returns expired values) and
 * dropped when they are a quarter of the bucket, by rewriting it.
 */
final class BandLookupFunction extends KeyedProcessFunction<Long, BandProbe, BandAnswer> {
    private static final long serialVersionUID = 1L;

    /** A bucket is rewritten without its expired members once they are this share of it. */
    private static final int PRUNE_DIVISOR = 4;

    private final FilterConfig config;
    private final long retentionMillis;
    private transient ListState<long[]> bucket;
    private transient MapState<Long, byte[]> thumbnails;

    BandLookupFunction(FilterConfig config) {
        this.config = config;
        this.retentionMillis = config.dedupRetention().toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        // No Flink TTL here: one TTL would cover the whole list; members expire one by one.
        bucket =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "band-bucket",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        MapStateDescriptor<Long, byte[]> thumbnailDescriptor =
                new MapStateDescriptor<>(
                        "band-thumbnails",
                        Types.LONG,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        thumbnailDescriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        thumbnails = getRuntimeContext().getMapState(thumbnailDescriptor);
    }

    @Override
    public void processElement(BandProbe probe, Context ctx, Collector<BandAnswer> out)
            throws Exception {
        NearDuplicateConfig near = config.nearDuplicates();
        long now = ctx.timerService().currentProcessingTime();
        boolean stored = false;
        int live = 0;
        int expired = 0;
        List<long[]> candidates = new ArrayList<>();
        long[] sums = ThumbnailSums.of(probe.thumbnail);
        Iterable<long[]> members = bucket.get();
        if (members != null) {
            for (long[] member : members) {
                BandMember.check(member);
                if (BandMember.expired(member, now, retentionMillis)) {
                    expired++;
                    continue;
                }
                live++;
                stored |= BandMember.imageId(member) == probe.imageId;
                if (PerceptualHash.distance(probe.phash, BandMember.phash(member))
                                <= near.maxDistance()
                        && !ThumbnailSums.fartherThan(
                                sums,
                                BandMember.sums(member),
                                probe.thumbnail.length,
                                near.maxThumbnailDistance())) {
                    candidates.add(member);
                }
            }
        }
        long[] oldest = oldestNearCopy(probe, candidates, near);
        if (oldest == null) {
            out.collect(new BandAnswer(probe.pairKey, false, 0, 0));
        } else {
            out.collect(
                    new BandAnswer(
                            probe.pairKey,
                            true,
                            BandMember.cluster(oldest),
                            BandMember.clusterTime(oldest)));
        }
        if (expired > 0 && expired * PRUNE_DIVISOR >= live + expired) {
            prune(now);
        }
        if (!stored) {
            bucket.add(
                    oldest == null
                            ? BandMember.of(
                                    probe.phash,
                                    probe.imageId,
                                    sums,
                                    probe.imageId,
                                    probe.time,
                                    now)
                            : BandMember.of(
                                    probe.phash,
                                    probe.imageId,
                                    sums,
                                    BandMember.cluster(oldest),
                                    BandMember.clusterTime(oldest),
                                    now));
            thumbnails.put(probe.imageId, probe.thumbnail);
        }
    }

    /**
     * The member of the oldest cluster among {@code candidates} (members within the hash distance)
     * whose thumbnail confirms a near copy, or null. Candidates are tried oldest cluster first and
     * the first confirmed one is the answer, so a probe usually reads and compares one thumbnail,
     * however many members of its cluster the bucket holds.
     */
    private long[] oldestNearCopy(
            BandProbe probe, List<long[]> candidates, NearDuplicateConfig near) throws Exception {
        candidates.sort(BandLookupFunction::byClusterAge);
        for (long[] member : candidates) {
            byte[] thumbnail = thumbnails.get(BandMember.imageId(member));
            if (thumbnail != null
                    && NearDuplicateIndex.isNearCopy(
                            probe.phash,
                            probe.thumbnail,
                            BandMember.phash(member),
                            thumbnail,
                            near)) {
                return member;
            }
        }
        return null;
    }

    /** Oldest cluster first, in the order of {@link NearDuplicateStages#older}. */
    private static int byClusterAge(long[] a, long[] b) {
        int byTime = Long.compare(BandMember.clusterTime(a), BandMember.clusterTime(b));
        return byTime != 0
                ? byTime
                : Long.compareUnsigned(BandMember.cluster(a), BandMember.cluster(b));
    }

    /** Rewrites the bucket without its expired members. */
    private void prune(long now) throws Exception {
        List<long[]> kept = new ArrayList<>();
        for (long[] member : bucket.get()) {
            if (!BandMember.expired(member, now, retentionMillis)) {
                kept.add(member);
            }
        }
        bucket.update(kept);
    }
}
