package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.DuplicateKey;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by near-duplicate image cluster: the hashes of the normalised captions the cluster accepted
 * and their count, on the state backend (RocksDB). Decides with {@link NearDuplicateIndex#decide}:
 * the same caption again is a {@code near_duplicate}, a pair beyond {@link
 * NearDuplicateConfig#clusterCap()} is refused as {@code image_cluster_cap}.
 */
final class ClusterAdmitFunction
        extends KeyedProcessFunction<Long, ClusteredEnvelope, CuratedPair> {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private final String stage;
    private final OutputTag<Reject> rejects;
    private final AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);
    private transient MapState<String, Boolean> captions;
    private transient ValueState<Long> pairs;
    private transient RejectCounters counters;

    /** Refusals go to {@code EnvelopeStage.rejects(stage)}, named with {@code stage}. */
    ClusterAdmitFunction(FilterConfig config, String stage) {
        this.config = config;
        this.stage = stage;
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<String, Boolean> captionDescriptor =
                new MapStateDescriptor<>("cluster-captions", Types.STRING, Types.BOOLEAN);
        captionDescriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        captions = getRuntimeContext().getMapState(captionDescriptor);
        ValueStateDescriptor<Long> countDescriptor =
                new ValueStateDescriptor<>("cluster-pairs", Types.LONG);
        countDescriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        pairs = getRuntimeContext().getState(countDescriptor);
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(ClusteredEnvelope in, Context ctx, Collector<CuratedPair> out)
            throws Exception {
        CuratedPair pair = in.envelope.pair;
        // A fixed-size key per caption however long it is.
        String caption =
                DuplicateKey.sha256Hex(
                        pair.getCaption().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Long count = pairs.value();
        long accepted = count == null ? 0 : count;
        // A cluster without a count has no captions either: both are written on each admission,
        // the count last, so no caption outlives it. Most clusters are new: one state read saved.
        boolean seen = count != null && captions.contains(caption);
        Verdict<Long> verdict =
                NearDuplicateIndex.decide(in.cluster, seen, accepted, config.nearDuplicates());
        if (verdict instanceof Verdict.Refused<Long> refused) {
            counters.rejected(refused.reason());
            ctx.output(rejects, in.envelope.reject(stage, refused.reason(), refused.detail(), raw));
            return;
        }
        captions.put(caption, Boolean.TRUE);
        pairs.update(accepted + 1);
        counters.accepted();
        out.collect(pair);
    }
}
