package io.streamlip.sinks;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.shards.RecordCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step before a file sink: applies a {@link RecordCheck} to each record, emits what the sink
 * writes for an accepted one and sends a refused one to the {@link EnvelopeStage#rejects(String)
 * rejects side output} of its stage (e.g. {@code sink-webdataset}), as the jobs' stages do. A check
 * that throws all the same gives an {@code internal_error} reject, never a failed job.
 *
 * <p>A reject carries the record's id (also as its key, as the Kafka sinks key records) and the
 * record's Avro encoding as payload when that is at most {@value #MAX_PAYLOAD_BYTES} bytes; it has
 * no topic or offset (the record was made inside the job).
 *
 * @param <IN> the records checked
 * @param <OUT> what the sink writes
 */
public final class RecordCheckFunction<IN extends SpecificRecord, OUT>
        extends ProcessFunction<IN, OUT> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordCheckFunction.class);

    /** The largest record copied into a reject's payload. */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

    private final String stage;
    private final RecordCheck<IN, OUT> check;
    private final SerializableFunction<IN, String> idOf;
    private final AvroSerde<IN> serde;
    private final OutputTag<Reject> rejects;
    private transient RejectCounters counters;

    /**
     * @param stage the stage written into rejects, e.g. {@code sink-webdataset}
     * @param type the records' class (for the payload's encoding)
     * @param idOf the record's id
     */
    public RecordCheckFunction(
            String stage,
            Class<IN> type,
            RecordCheck<IN, OUT> check,
            SerializableFunction<IN, String> idOf) {
        this.stage = Objects.requireNonNull(stage, "stage");
        this.check = Objects.requireNonNull(check, "check");
        this.idOf = Objects.requireNonNull(idOf, "idOf");
        this.serde = AvroSerde.of(type);
        this.rejects = EnvelopeStage.rejects(stage);
    }

    @Override
    public void open(OpenContext openContext) {
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(IN record, Context ctx, Collector<OUT> out) {
        Verdict<OUT> verdict;
        try {
            verdict = check.check(record);
        } catch (RuntimeException e) {
            LOG.warn("{} check failed on {}", stage, safeId(record), e);
            verdict =
                    Verdict.refuse(io.streamlip.schemas.RejectReason.INTERNAL_ERROR, e.toString());
        }
        if (verdict instanceof Verdict.Refused<OUT> refused) {
            if (counters != null) {
                counters.rejected(refused.reason());
            }
            ctx.output(rejects, reject(record, refused));
        } else {
            if (counters != null) {
                counters.accepted();
            }
            out.collect(verdict.value());
        }
    }

    /** The reject of {@code record}. */
    Reject reject(IN record, Verdict.Refused<?> refused) {
        String id = safeId(record);
        String detail = refused.detail();
        ByteBuffer payload = null;
        try {
            byte[] encoded = serde.encode(record);
            if (encoded.length <= MAX_PAYLOAD_BYTES) {
                payload = ByteBuffer.wrap(encoded);
            } else {
                detail += " (payload of " + encoded.length + " bytes left out)";
            }
        } catch (RuntimeException e) {
            detail += " (payload does not encode)";
        }
        if (detail.length() > RecordCheck.MAX_DETAIL_CHARS) {
            detail = detail.substring(0, RecordCheck.MAX_DETAIL_CHARS - 1) + "…";
        }
        return Reject.newBuilder()
                .setId(id)
                .setStage(stage)
                .setReason(refused.reason().code())
                .setDetail(detail)
                .setKey(id == null ? null : ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)))
                .setPayload(payload)
                .setRejectTime(Instant.now())
                .build();
    }

    private String safeId(IN record) {
        try {
            String id = idOf.apply(record);
            return id == null || id.length() <= 256 ? id : id.substring(0, 256);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
