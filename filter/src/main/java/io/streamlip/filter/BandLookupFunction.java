package io.streamlip.filter;

import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an {@link LshBands} band key: the images seen in this band bucket, on the state backend
 * (RocksDB), by {@link NearDuplicateIndex#imageId}: {@code members} holds each image's hash and
 * cluster ({@code (phash, cluster, cluster time)}), {@code thumbnails} its {@link
 * PerceptualHash#thumbnail}, read only for the members whose hash is within {@link
 * NearDuplicateConfig#maxDistance()} (so a scan reads 24 bytes a member, not 800). For each probe
 * it answers the oldest cluster among the bucket's near copies of the probe's image ({@link
 * NearDuplicateIndex#isNearCopy}: hash, then thumbnail), or none; then remembers the probe's image
 * with that cluster, or as a new cluster of its own when none was found here.
 *
 * <p>The scan is linear in the bucket: with {@code k + 1} bands of about {@code 64 / (k + 1)} bits
 * each (5 bits at k = 12), a bucket holds about 1/32 of the images its band has seen within the
 * retention, which bounds how many images the job can keep (see {@link FilterJob}).
 */
final class BandLookupFunction extends KeyedProcessFunction<Long, BandProbe, BandAnswer> {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private transient MapState<Long, Tuple3<Long, Long, Long>> members;
    private transient MapState<Long, byte[]> thumbnails;

    BandLookupFunction(FilterConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<Long, Tuple3<Long, Long, Long>> memberDescriptor =
                new MapStateDescriptor<>(
                        "band-members",
                        Types.LONG,
                        Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));
        memberDescriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        members = getRuntimeContext().getMapState(memberDescriptor);
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
        Tuple3<Long, Long, Long> oldest = null;
        for (Map.Entry<Long, Tuple3<Long, Long, Long>> member : members.entries()) {
            Tuple3<Long, Long, Long> candidate = member.getValue();
            if (PerceptualHash.distance(probe.phash, candidate.f0) > near.maxDistance()) {
                continue;
            }
            byte[] thumbnail = thumbnails.get(member.getKey());
            if (thumbnail == null
                    || !NearDuplicateIndex.isNearCopy(
                            probe.phash, probe.thumbnail, candidate.f0, thumbnail, near)) {
                continue;
            }
            if (oldest == null
                    || NearDuplicateStages.older(
                            candidate.f1, candidate.f2, oldest.f1, oldest.f2)) {
                oldest = candidate;
            }
        }
        if (oldest == null) {
            out.collect(new BandAnswer(probe.pairKey, false, 0, 0));
        } else {
            out.collect(new BandAnswer(probe.pairKey, true, oldest.f1, oldest.f2));
        }
        if (!members.contains(probe.imageId)) {
            members.put(
                    probe.imageId,
                    oldest == null
                            ? Tuple3.of(probe.phash, probe.imageId, probe.time)
                            : Tuple3.of(probe.phash, oldest.f1, oldest.f2));
            thumbnails.put(probe.imageId, probe.thumbnail);
        }
    }
}
