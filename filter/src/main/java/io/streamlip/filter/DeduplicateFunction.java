package io.streamlip.filter;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.DuplicateKey;
import io.streamlip.filter.neardup.NearDuplicateStages;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@link DuplicateKey}: lets the first pair of each key through and rejects the rest as
 * {@code duplicate}. The state is the id of the first pair per key in the state backend (RocksDB),
 * so a duplicate's reject names the pair it repeats; it is forgotten after {@link
 * FilterConfig#dedupRetention()}. Sends the first on with its Kafka record, for the near-duplicate
 * stages ({@link NearDuplicateStages}). With a blocklist the job uses {@link
 * BlocklistDeduplicateFunction} instead, which checks it first, on the same state.
 */
final class DeduplicateFunction
        extends KeyedProcessFunction<String, CuratedEnvelope, CuratedEnvelope> {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private final OutputTag<Reject> rejects = EnvelopeStage.rejects(FilterJob.STAGE);
    private final AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);
    private transient ValueState<String> firstId;
    private transient RejectCounters counters;

    DeduplicateFunction(FilterConfig config) {
        this.config = config;
    }

    /** The state of the first pair's id per key (the same in both functions: savepoints). */
    static ValueStateDescriptor<String> firstIdDescriptor(FilterConfig config) {
        ValueStateDescriptor<String> descriptor =
                new ValueStateDescriptor<>("first-id", Types.STRING);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(config.dedupRetention())
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        .build());
        return descriptor;
    }

    @Override
    public void open(OpenContext openContext) {
        firstId = getRuntimeContext().getState(firstIdDescriptor(config));
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(CuratedEnvelope in, Context ctx, Collector<CuratedEnvelope> out)
            throws Exception {
        if (firstOfItsKey(firstId, in, counters, raw, reject -> ctx.output(rejects, reject))) {
            out.collect(in);
        }
    }

    /**
     * Whether {@code in} is the first pair of its key (the current key of {@code firstId}), which
     * it then becomes; else its {@code duplicate} reject ({@link CuratedEnvelope#reject}, payload
     * re-encoded with {@code raw} when not carried) goes to {@code rejects}. Counts either.
     */
    static boolean firstOfItsKey(
            ValueState<String> firstId,
            CuratedEnvelope in,
            RejectCounters counters,
            AvroSerde<RawPair> raw,
            Consumer<Reject> rejects)
            throws IOException {
        String first = firstId.value();
        if (first != null) {
            counters.rejected(RejectReason.DUPLICATE);
            rejects.accept(
                    in.reject(
                            FilterJob.STAGE,
                            RejectReason.DUPLICATE,
                            "same image (sha256 "
                                    + in.pair.getImageSha256()
                                    + ") and caption as "
                                    + first,
                            raw));
            return false;
        }
        firstId.update(in.pair.getPair().getId());
        counters.accepted();
        return true;
    }
}
