package io.streamlip.filter;

import io.streamlip.filter.blocklist.BlocklistMatcher;
import io.streamlip.filter.blocklist.BlocklistUpdate;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.DuplicateKey;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@link DuplicateKey}, with the blocklist topic's updates as a broadcast input: refuses a
 * pair on a blocklist ({@link BlocklistMatcher}: {@code blocklisted_image}, {@code
 * caption_blocklisted}), then deduplicates the rest as {@link DeduplicateFunction} does, on the
 * same state. One operator for both, so a pair crosses one exchange to reach them, not two (the
 * blocklist's broadcast input kept it from chaining after curation); the blocklist still comes
 * first, so a listed pair never stands in the state for its copies. Why:
 * docs/decisions/blocklist.md.
 */
final class BlocklistDeduplicateFunction
        extends KeyedBroadcastProcessFunction<
                String, CuratedEnvelope, BlocklistUpdate, CuratedEnvelope> {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private final BlocklistMatcher blocklist;
    private final OutputTag<Reject> rejects = EnvelopeStage.rejects(FilterJob.STAGE);
    private final AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);
    private transient ValueState<String> firstId;
    private transient RejectCounters counters;

    BlocklistDeduplicateFunction(FilterConfig config, BlocklistMatcher blocklist) {
        this.config = config;
        this.blocklist = blocklist;
    }

    @Override
    public void open(OpenContext openContext) {
        firstId = getRuntimeContext().getState(DeduplicateFunction.firstIdDescriptor(config));
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
        blocklist.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(
            CuratedEnvelope in, ReadOnlyContext ctx, Collector<CuratedEnvelope> out)
            throws Exception {
        Optional<Verdict.Refused<Void>> refused =
                blocklist.refusal(ctx.getBroadcastState(BlocklistMatcher.ENTRIES), in.pair);
        if (refused.isPresent()) {
            counters.rejected(refused.get().reason());
            ctx.output(
                    rejects,
                    in.reject(
                            FilterJob.STAGE, refused.get().reason(), refused.get().detail(), raw));
            return;
        }
        if (DeduplicateFunction.firstOfItsKey(
                firstId, in, counters, raw, reject -> ctx.output(rejects, reject))) {
            out.collect(in);
        }
    }

    @Override
    public void processBroadcastElement(
            BlocklistUpdate update, Context ctx, Collector<CuratedEnvelope> out) throws Exception {
        blocklist.apply(ctx.getBroadcastState(BlocklistMatcher.ENTRIES), update);
    }
}
