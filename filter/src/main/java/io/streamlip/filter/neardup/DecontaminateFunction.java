package io.streamlip.filter.neardup;

import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.EvalSetIndex;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation-set decontamination against broadcast state: the evaluation images' hashes and
 * thumbnails arrive once, on a bounded broadcast stream built by the client from the configured
 * sets ({@link EvalSetIndex#entries}, {@link EvalSetMessage#stream}), and every task holds them in
 * its broadcast state ({@link #IMAGES}); the end marker ({@link #STATUS}) says the set is complete.
 * Each pair is then checked with {@link EvalSetIndex#check} and refused as {@code
 * eval_contamination} (to the rejects, with a counter) when its image is a near copy of an
 * evaluation image.
 *
 * <p>A pair that arrives before the end marker is not let through unchecked: it waits in a buffer,
 * kept in operator state across checkpoints, and is checked when the marker arrives. The buffer
 * holds what the raw topic delivers while the broadcast side is being read (the sets' hashes are
 * computed before the job starts, so that is seconds).
 */
public final class DecontaminateFunction
        extends BroadcastProcessFunction<CuratedEnvelope, EvalSetMessage, CuratedEnvelope>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecontaminateFunction.class);

    /** Broadcast state: the evaluation images by name. */
    public static final MapStateDescriptor<String, EvalSetMessage> IMAGES =
            new MapStateDescriptor<>(
                    "eval-set-images", Types.STRING, TypeInformation.of(EvalSetMessage.class));

    /** Broadcast state: {@link #COMPLETE} and the image count once the end marker arrived. */
    public static final MapStateDescriptor<String, Integer> STATUS =
            new MapStateDescriptor<>("eval-set-status", Types.STRING, Types.INT);

    static final String COMPLETE = "complete";

    private final NearDuplicateConfig config;
    private final String stage;
    private final OutputTag<Reject> rejects;
    private final AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);
    private transient EvalSetIndex index;
    private transient List<CuratedEnvelope> pending;
    private transient ListState<CuratedEnvelope> pendingState;
    private transient RejectCounters counters;

    /** Refusals go to {@code EnvelopeStage.rejects(stage)}, named with {@code stage}. */
    public DecontaminateFunction(NearDuplicateConfig config, String stage) {
        this.config = config;
        this.stage = stage;
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "eval-set-pending", CuratedEnvelope.typeInfo()));
        pending = new ArrayList<>();
        if (context.isRestored()) {
            pendingState.get().forEach(pending::add);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingState.update(pending);
    }

    @Override
    public void processElement(
            CuratedEnvelope in, ReadOnlyContext ctx, Collector<CuratedEnvelope> out)
            throws Exception {
        if (index == null) {
            // After a restore the broadcast state may be complete already.
            Integer total = ctx.getBroadcastState(STATUS).get(COMPLETE);
            if (total != null) {
                index = build(ctx.getBroadcastState(IMAGES), total);
            }
        }
        if (index == null) {
            pending.add(in);
            return;
        }
        if (!pending.isEmpty()) {
            // Restored into a task whose broadcast state was complete (rescaling).
            for (CuratedEnvelope waiting : pending) {
                route(waiting, out, r -> ctx.output(rejects, r));
            }
            pending.clear();
        }
        route(in, out, r -> ctx.output(rejects, r));
    }

    @Override
    public void processBroadcastElement(
            EvalSetMessage message, Context ctx, Collector<CuratedEnvelope> out) throws Exception {
        BroadcastState<String, EvalSetMessage> images = ctx.getBroadcastState(IMAGES);
        if (!message.end) {
            images.put(message.name, message);
            return;
        }
        ctx.getBroadcastState(STATUS).put(COMPLETE, message.total);
        index = build(images, message.total);
        LOG.info(
                "evaluation sets complete: {} images; checking {} pairs that waited",
                index.size(),
                pending.size());
        for (CuratedEnvelope waiting : pending) {
            route(waiting, out, r -> ctx.output(rejects, r));
        }
        pending.clear();
    }

    private EvalSetIndex build(ReadOnlyBroadcastState<String, EvalSetMessage> images, int total)
            throws Exception {
        List<EvalSetIndex.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, EvalSetMessage> e : images.immutableEntries()) {
            entries.add(e.getValue().entry());
        }
        if (entries.size() != total) {
            throw new IllegalStateException(
                    "the evaluation-set stream announced "
                            + total
                            + " images but "
                            + entries.size()
                            + " arrived (two images with the same name?)");
        }
        return EvalSetIndex.of(entries, config);
    }

    /** Sends {@code in} on, or its reject when its image is a near copy of an evaluation image. */
    private void route(
            CuratedEnvelope in, Collector<CuratedEnvelope> out, Consumer<Reject> rejectOut) {
        Verdict<Long> verdict = index.check(in.pair.getPhash(), in.thumbnail);
        if (verdict instanceof Verdict.Refused<Long> refused) {
            counters.rejected(refused.reason());
            rejectOut.accept(in.reject(stage, refused.reason(), refused.detail(), raw));
            return;
        }
        counters.accepted();
        out.collect(in);
    }
}
