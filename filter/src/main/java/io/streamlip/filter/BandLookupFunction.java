package io.streamlip.filter;

import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an {@link LshBands} band key: the images seen in this band bucket, each with its
 * cluster, in a {@code MapState<phash, (cluster, cluster time)>} on the state backend (RocksDB).
 * For each probe it answers the oldest cluster among the bucket's images within {@link
 * NearDuplicateConfig#maxDistance()} of the probe's hash, or none; then remembers the probe's hash
 * with that cluster, or as a new cluster of its own when none was found here.
 *
 * <p>The scan is linear in the bucket: with {@code k + 1} bands of about {@code 64 / (k + 1)} bits
 * each (7 bits at k = 8), a bucket holds about 1/128 of the images its band has seen within the
 * retention, which bounds how many images the job can keep (see {@link FilterJob}).
 */
final class BandLookupFunction extends KeyedProcessFunction<Long, BandProbe, BandAnswer> {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private transient MapState<Long, Tuple2<Long, Long>> members;

    BandLookupFunction(FilterConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<Long, Tuple2<Long, Long>> descriptor =
                new MapStateDescriptor<>(
                        "band-members", Types.LONG, Types.TUPLE(Types.LONG, Types.LONG));
        descriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        members = getRuntimeContext().getMapState(descriptor);
    }

    @Override
    public void processElement(BandProbe probe, Context ctx, Collector<BandAnswer> out)
            throws Exception {
        int maxDistance = config.nearDuplicates().maxDistance();
        Tuple2<Long, Long> oldest = null;
        for (Map.Entry<Long, Tuple2<Long, Long>> member : members.entries()) {
            if (PerceptualHash.distance(probe.phash, member.getKey()) <= maxDistance) {
                Tuple2<Long, Long> candidate = member.getValue();
                if (oldest == null
                        || NearDuplicateStages.older(
                                candidate.f0, candidate.f1, oldest.f0, oldest.f1)) {
                    oldest = candidate;
                }
            }
        }
        if (oldest == null) {
            out.collect(new BandAnswer(probe.pairKey, false, 0, 0));
        } else {
            out.collect(new BandAnswer(probe.pairKey, true, oldest.f0, oldest.f1));
        }
        if (!members.contains(probe.phash)) {
            members.put(probe.phash, oldest == null ? Tuple2.of(probe.phash, probe.time) : oldest);
        }
    }
}
