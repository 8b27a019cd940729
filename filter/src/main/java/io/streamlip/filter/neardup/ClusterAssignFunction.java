package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by pair ({@link NearDuplicateStages#pairKey}): waits for the pair itself and the answers of
 * all its band buckets, then sends the pair on with its cluster: the oldest of the clusters the
 * buckets answered (by record time of the image that started it), or a new cluster of its own (its
 * image id, {@link NearDuplicateIndex#imageId}) when no bucket held a near image. Its state lives
 * only while answers are missing and is cleared when the pair leaves.
 */
final class ClusterAssignFunction
        extends KeyedCoProcessFunction<String, CuratedEnvelope, BandAnswer, ClusteredEnvelope> {
    private static final long serialVersionUID = 1L;

    private final int bands;
    private transient ValueState<CuratedEnvelope> pending;

    /**
     * What the answers so far say, in one small value: {@code [answers, found (0 or 1), oldest
     * cluster, its time]}. One state read and write per answer; the pending pair (image bytes and
     * all) is read once, when the last answer or the pair itself completes it.
     */
    private transient ValueState<long[]> answers;

    ClusterAssignFunction(FilterConfig config) {
        this.bands = LshBands.forDistance(config.nearDuplicates().maxDistance()).bands();
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pending-pair", CuratedEnvelope.typeInfo()));
        answers =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "band-answers",
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement1(CuratedEnvelope pair, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        long[] seen = answers.value();
        if (seen != null && seen[0] >= bands) {
            emit(pair, seen, out);
        } else {
            pending.update(pair);
        }
    }

    @Override
    public void processElement2(BandAnswer answer, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        long[] seen = answers.value();
        if (seen == null) {
            seen = new long[4];
        }
        seen[0]++;
        if (answer.found
                && (seen[1] == 0
                        || NearDuplicateStages.older(
                                answer.cluster, answer.clusterTime, seen[2], seen[3]))) {
            seen[1] = 1;
            seen[2] = answer.cluster;
            seen[3] = answer.clusterTime;
        }
        if (seen[0] >= bands) {
            CuratedEnvelope pair = pending.value();
            if (pair != null) {
                emit(pair, seen, out);
                return;
            }
        }
        answers.update(seen);
    }

    private void emit(CuratedEnvelope pair, long[] seen, Collector<ClusteredEnvelope> out) {
        long own = NearDuplicateIndex.imageId(pair.pair.getPhash(), pair.thumbnail);
        boolean ownIsOlder =
                seen[1] == 0
                        || NearDuplicateStages.older(own, pair.source.timestamp, seen[2], seen[3]);
        out.collect(new ClusteredEnvelope(ownIsOlder ? own : seen[2], pair));
        pending.clear();
        answers.clear();
    }
}
