package io.streamlip.platform.flink;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.platform.bounds.Rejects;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The last check before a Kafka sink: a record whose encoding (keyed by its id) does not fit the
 * topic's record limit goes to the stage's {@link EnvelopeStage#rejects rejects} as {@code
 * record_too_large} instead of failing the sink's transaction (and the job, on every replay). The
 * reject carries the id and the sizes, not the record.
 *
 * @param <T> the Avro record the sink writes
 */
public final class RecordSizeCheck<T extends SpecificRecord> extends ProcessFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final String stage;
    private final String topic;
    private final SerializableFunction<T, String> id;
    private final RecordSize<T> size;
    private final int maxRecordBytes;
    private final OutputTag<Reject> rejects;
    private transient RejectCounters counters;

    /**
     * @param stage the stage name written into rejects
     * @param topic the topic the sink writes, named in the detail
     * @param type the record class
     * @param id the record's id, its Kafka key
     * @param maxRecordBytes the topic's record limit
     */
    public RecordSizeCheck(
            String stage,
            String topic,
            Class<T> type,
            SerializableFunction<T, String> id,
            int maxRecordBytes) {
        this.stage = stage;
        this.topic = topic;
        this.id = id;
        this.size = RecordSize.of(type);
        this.maxRecordBytes = maxRecordBytes;
        this.rejects = EnvelopeStage.rejects(stage);
    }

    /**
     * {@code stream} through a check of this kind (operator {@code <stage>-<name>}); its refusals
     * are on the result's side output {@link EnvelopeStage#rejects(String) rejects(stage)}.
     */
    public static <T extends SpecificRecord> SingleOutputStreamOperator<T> attach(
            DataStream<T> stream, String name, RecordSizeCheck<T> check) {
        return stream.process(check, stream.getType()).name(name).uid(check.stage + "-" + name);
    }

    /** The reject for {@code record} when it does not fit, else empty. */
    public Optional<Reject> check(T record) {
        String key = id.apply(record);
        long keyBytes = BoundedText.utf8Length(key);
        long bytes = size.encodedSize(record);
        if (RecordSize.fits(keyBytes, bytes, maxRecordBytes)) {
            return Optional.empty();
        }
        Reject reject =
                Reject.newBuilder()
                        .setId(key)
                        .setStage(stage)
                        .setReason(RejectReason.RECORD_TOO_LARGE.code())
                        .setDetail(
                                "record of "
                                        + bytes
                                        + " bytes (key "
                                        + keyBytes
                                        + ") does not fit the limit of "
                                        + maxRecordBytes
                                        + " bytes of "
                                        + topic)
                        .setKey(
                                key == null
                                        ? null
                                        : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                        .setRejectTime(Instant.now())
                        .build();
        return Optional.of(Rejects.fit(reject, maxRecordBytes));
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(T record, Context ctx, Collector<T> out) {
        Optional<Reject> reject = check(record);
        if (reject.isPresent()) {
            counters.rejected(RejectReason.RECORD_TOO_LARGE);
            ctx.output(rejects, reject.get());
        } else {
            out.collect(record);
        }
    }
}
