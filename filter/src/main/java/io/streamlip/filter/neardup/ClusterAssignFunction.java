package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by pair ({@link NearDuplicateStages#pairKey}): waits for the pair itself and the answers of
 * all its band buckets, then sends the pair on with its cluster: the oldest of the clusters the
 * buckets answered (by record time of the image that started it), or a new cluster of its own (its
 * image id, {@link NearDuplicateIndex#imageId}) when no bucket held a near image.
 *
 * <p>What waits lives on the heap and goes into a checkpoint only when one is taken while it waits
 * (union list state {@value #STATE_NAME}; on restore each task keeps the entries of the keys it
 * owns). A pair that would take the heap's waiting pairs over {@link
 * io.streamlip.filter.config.NearDuplicateConfig#maxPendingBytes()} waits in keyed state ({@value
 * #OVERFLOW_STATE_NAME}) instead; its answers are counted on the heap either way. Why:
 * docs/decisions/near-duplicates.md, "The join".
 */
final class ClusterAssignFunction
        extends KeyedCoProcessFunction<String, CuratedEnvelope, BandAnswer, ClusteredEnvelope>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The operator state that holds the joins in progress at a checkpoint. */
    static final String STATE_NAME = "pending-joins";

    /** The keyed state that holds the pairs that waited beyond the heap's bound. */
    static final String OVERFLOW_STATE_NAME = "pending-pairs-overflow";

    private final int bands;
    private final long maxPendingBytes;
    private transient Map<String, PendingJoin> pending;
    private transient ListState<PendingJoin> checkpointed;
    private transient ValueState<CuratedEnvelope> overflow;

    /** The heap the pairs waiting there take, {@link PendingJoin#estimatedBytes}. */
    private transient long heapBytes;

    private transient int pairsOnHeap;
    private transient int pairsInState;
    private transient long peakBytes;
    private transient int peakPairs;
    private transient Counter toState;

    ClusterAssignFunction(FilterConfig config) {
        this.bands = LshBands.forDistance(config.nearDuplicates().maxDistance()).bands();
        this.maxPendingBytes = config.nearDuplicates().maxPendingBytes();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pending = new HashMap<>();
        checkpointed =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(STATE_NAME, PendingJoin.typeInfo()));
        if (context.isRestored()) {
            TaskInfo task = getRuntimeContext().getTaskInfo();
            for (PendingJoin join : checkpointed.get()) {
                // Union state: every task reads every entry and keeps those of its own keys.
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                join.pairKey,
                                task.getMaxNumberOfParallelSubtasks(),
                                task.getNumberOfParallelSubtasks())
                        == task.getIndexOfThisSubtask()) {
                    pending.put(join.pairKey, join);
                    if (join.pair != null) {
                        heapBytes += PendingJoin.estimatedBytes(join.pair);
                        pairsOnHeap++;
                    }
                    pairsInState += join.pairInState ? 1 : 0;
                }
            }
            peak();
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        overflow =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        OVERFLOW_STATE_NAME, CuratedEnvelope.typeInfo()));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("streamlip");
        metrics.gauge("nearDuplicateJoinPendingJoins", () -> pending.size());
        metrics.gauge("nearDuplicateJoinPendingPairs", () -> pairsOnHeap);
        metrics.gauge("nearDuplicateJoinPendingBytes", () -> heapBytes);
        metrics.gauge("nearDuplicateJoinPeakPendingPairs", () -> peakPairs);
        metrics.gauge("nearDuplicateJoinPeakPendingBytes", () -> peakBytes);
        metrics.gauge("nearDuplicateJoinPairsInState", () -> pairsInState);
        toState = metrics.counter("nearDuplicateJoinPairsToState");
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointed.update(new ArrayList<>(pending.values()));
    }

    /** How many pairs wait for answers (or answers for their pair) now. */
    int waiting() {
        return pending.size();
    }

    /** How many waiting pairs are in keyed state now, not on the heap. */
    int waitingInState() {
        return pairsInState;
    }

    /** The most heap the pairs waiting there took since this task started. */
    long peakBytes() {
        return peakBytes;
    }

    /** How many pairs went to keyed state since this task started. */
    long pairsToState() {
        return toState.getCount();
    }

    @Override
    public void processElement1(CuratedEnvelope pair, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        PendingJoin join = pending.get(key);
        if (join != null && join.answers >= bands) {
            remove(join);
            emit(pair, join, out);
            return;
        }
        if (join == null) {
            join = new PendingJoin(key);
            pending.put(key, join);
        }
        long size = PendingJoin.estimatedBytes(pair);
        if (heapBytes + size > maxPendingBytes) {
            // The heap holds its bound: this pair waits in keyed state, its answers' tally (a few
            // dozen bytes) on the heap.
            overflow.update(pair);
            join.pairInState = true;
            pairsInState++;
            toState.inc();
        } else {
            join.pair = pair;
            heapBytes += size;
            pairsOnHeap++;
        }
        peak();
    }

    @Override
    public void processElement2(BandAnswer answer, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        PendingJoin join = pending.get(key);
        if (join == null) {
            join = new PendingJoin(key);
            pending.put(key, join);
        }
        join.answers += answer.bands;
        if (answer.found
                && (!join.found
                        || NearDuplicateStages.older(
                                answer.cluster, answer.clusterTime, join.cluster, join.time))) {
            join.found = true;
            join.cluster = answer.cluster;
            join.time = answer.clusterTime;
        }
        if (join.answers >= bands && (join.pair != null || join.pairInState)) {
            CuratedEnvelope pair = join.pair;
            if (join.pairInState) {
                pair = overflow.value();
                overflow.clear();
            }
            remove(join);
            emit(pair, join, out);
        }
    }

    private void remove(PendingJoin join) {
        pending.remove(join.pairKey);
        if (join.pair != null) {
            heapBytes -= PendingJoin.estimatedBytes(join.pair);
            pairsOnHeap--;
        }
        pairsInState -= join.pairInState ? 1 : 0;
    }

    private void peak() {
        peakBytes = Math.max(peakBytes, heapBytes);
        peakPairs = Math.max(peakPairs, pairsOnHeap);
    }

    private static void emit(
            CuratedEnvelope pair, PendingJoin join, Collector<ClusteredEnvelope> out) {
        long own = NearDuplicateIndex.imageId(pair.pair.getPhash(), pair.thumbnail);
        boolean ownIsOlder =
                !join.found
                        || NearDuplicateStages.older(
                                own, pair.source.timestamp, join.cluster, join.time);
        out.collect(new ClusteredEnvelope(ownIsOlder ? own : join.cluster, pair));
    }
}
