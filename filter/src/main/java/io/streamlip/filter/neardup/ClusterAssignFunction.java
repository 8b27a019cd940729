package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
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
 * <p>A pair waits here only until its last answer arrives, so what is waiting lives on the heap,
 * not in keyed state, and goes into a checkpoint only when one is taken while it waits (union list
 * state {@value #STATE_NAME}; on restore each task keeps the entries of the keys it owns, so a
 * rescaled job resumes them too). Why: docs/decisions/near-duplicates.md, "The join".
 */
final class ClusterAssignFunction
        extends KeyedCoProcessFunction<String, CuratedEnvelope, BandAnswer, ClusteredEnvelope>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** The operator state that holds the joins in progress at a checkpoint. */
    static final String STATE_NAME = "pending-joins";

    private final int bands;
    private transient Map<String, PendingJoin> pending;
    private transient ListState<PendingJoin> checkpointed;

    ClusterAssignFunction(FilterConfig config) {
        this.bands = LshBands.forDistance(config.nearDuplicates().maxDistance()).bands();
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
                }
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointed.update(new ArrayList<>(pending.values()));
    }

    /** How many pairs wait for answers (or answers for their pair) now. */
    int waiting() {
        return pending.size();
    }

    @Override
    public void processElement1(CuratedEnvelope pair, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        PendingJoin join = pending.get(key);
        if (join != null && join.answers >= bands) {
            pending.remove(key);
            emit(pair, join, out);
        } else if (join == null) {
            join = new PendingJoin(key);
            join.pair = pair;
            pending.put(key, join);
        } else {
            join.pair = pair;
        }
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
        if (join.answers >= bands && join.pair != null) {
            pending.remove(key);
            emit(join.pair, join, out);
        }
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
