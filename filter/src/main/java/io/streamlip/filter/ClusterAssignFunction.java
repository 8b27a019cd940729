package io.streamlip.filter;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
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
    private transient ValueState<Integer> answers;
    private transient ValueState<Tuple2<Long, Long>> oldest;

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
        answers = getRuntimeContext().getState(new ValueStateDescriptor<>("answers", Types.INT));
        oldest =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "oldest-cluster", Types.TUPLE(Types.LONG, Types.LONG)));
    }

    @Override
    public void processElement1(CuratedEnvelope pair, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        pending.update(pair);
        emitWhenComplete(out);
    }

    @Override
    public void processElement2(BandAnswer answer, Context ctx, Collector<ClusteredEnvelope> out)
            throws Exception {
        Integer seen = answers.value();
        answers.update(seen == null ? 1 : seen + 1);
        if (answer.found) {
            Tuple2<Long, Long> current = oldest.value();
            if (current == null
                    || NearDuplicateStages.older(
                            answer.cluster, answer.clusterTime, current.f0, current.f1)) {
                oldest.update(Tuple2.of(answer.cluster, answer.clusterTime));
            }
        }
        emitWhenComplete(out);
    }

    private void emitWhenComplete(Collector<ClusteredEnvelope> out) throws Exception {
        CuratedEnvelope pair = pending.value();
        Integer seen = answers.value();
        if (pair == null || seen == null || seen < bands) {
            return;
        }
        Tuple2<Long, Long> found = oldest.value();
        long own = NearDuplicateIndex.imageId(pair.pair.getPhash(), pair.thumbnail);
        boolean ownIsOlder =
                found == null
                        || NearDuplicateStages.older(
                                own, pair.source.timestamp, found.f0, found.f1);
        out.collect(new ClusteredEnvelope(ownIsOlder ? own : found.f0, pair));
        pending.clear();
        answers.clear();
        oldest.clear();
    }
}
