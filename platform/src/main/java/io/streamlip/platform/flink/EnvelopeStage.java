package io.streamlip.platform.flink;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.bounds.Rejects;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape of every stage that reads Kafka records: decode the envelope's value as Avro, apply a
 * plain function that returns a {@link Verdict}, emit what it accepts and send everything else to
 * the {@link #rejects(String) rejects side output}, counting each outcome ({@link RejectCounters}).
 *
 * <p>Nothing a single record contains can fail the job: a value that is not Avro becomes a {@code
 * not_avro} reject carrying the raw bytes, and any exception while handling one record becomes an
 * {@code internal_error} reject with the exception in its detail. Every reject fits the rejects
 * topic's record limit ({@link Rejects#fit}: detail capped, payload dropped when too large). What a
 * stage emits is its {@link #apply} function's business to bound (e.g. with {@code RecordSize}).
 *
 * <p>{@link #handle} is the whole per-record logic without Flink (tests and fuzzers call it).
 *
 * @param <T> the Avro record the envelope's value holds
 * @param <OUT> what the stage emits for an accepted record
 */
public abstract class EnvelopeStage<T extends SpecificRecord, OUT>
        extends ProcessFunction<KafkaEnvelope, OUT> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeStage.class);

    // Longest id and exception text a log line repeats.
    private static final int MAX_LOGGED_CHARS = 256;

    private final String stage;
    private final AvroSerde<T> serde;
    private final OutputTag<Reject> rejects;
    private final int maxRecordBytes;
    private transient RejectCounters counters;

    /**
     * With the pipeline's record limit, {@link PipelineTopics#MAX_MESSAGE_BYTES}.
     *
     * @param stage the stage name written into rejects, e.g. {@code filter}
     * @param type the Avro record class of the input topic
     */
    protected EnvelopeStage(String stage, Class<T> type) {
        this(stage, type, PipelineTopics.MAX_MESSAGE_BYTES);
    }

    /**
     * @param stage the stage name written into rejects, e.g. {@code filter}
     * @param type the Avro record class of the input topic
     * @param maxRecordBytes the rejects topic's record limit, which every reject is made to fit
     */
    protected EnvelopeStage(String stage, Class<T> type, int maxRecordBytes) {
        this.stage = stage;
        this.serde = AvroSerde.of(type);
        this.rejects = rejects(stage);
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * What became of one record: emitted, or rejected for a reason.
     *
     * @param <OUT> what the stage emits
     */
    public sealed interface Outcome<OUT> permits Emitted, Rejected {}

    /** The record's result, to emit. */
    public record Emitted<OUT>(OUT value) implements Outcome<OUT> {}

    /** The record's reject, already fitted to the rejects topic. */
    public record Rejected<OUT>(RejectReason reason, Reject reject) implements Outcome<OUT> {}

    /**
     * The side output of {@code stage}'s rejects, typed with Avro (not Kryo). Tags are equal by
     * name, so the job and the function each build their own.
     */
    public static OutputTag<Reject> rejects(String stage) {
        return new OutputTag<>(stage + "-rejects", avroType(Reject.class));
    }

    /** Flink type information of a generated Avro record (Avro-serialized, not Kryo). */
    public static <R extends SpecificRecord> SerializerTypeInfo<R> avroType(Class<R> type) {
        return new SerializerTypeInfo<>(type, new AvroSerializer<>(type));
    }

    /** What the stage makes of one decoded record; {@code source} is where it came from. */
    protected abstract Verdict<OUT> apply(T record, KafkaEnvelope source) throws Exception;

    /** The record's id, for rejects and logs. */
    protected abstract String idOf(T record);

    @Override
    public void open(OpenContext openContext) throws Exception {
        counters = new RejectCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(KafkaEnvelope envelope, Context ctx, Collector<OUT> out) {
        Outcome<OUT> outcome = handle(envelope);
        if (outcome instanceof Rejected<OUT> rejected) {
            counters.rejected(rejected.reason());
            ctx.output(rejects, rejected.reject());
        } else {
            counters.accepted();
            out.collect(((Emitted<OUT>) outcome).value());
        }
    }

    /** Decodes, applies and, for a refusal or a failure, builds the reject: one record's fate. */
    public Outcome<OUT> handle(KafkaEnvelope envelope) {
        T record;
        try {
            record = serde.decode(envelope.value);
        } catch (AvroSerde.DecodeException e) {
            return reject(envelope, null, RejectReason.NOT_AVRO, e.getMessage());
        }
        String id = null;
        Verdict<OUT> verdict;
        try {
            id = idOf(record);
            verdict = apply(record, envelope);
        } catch (Exception e) {
            LOG.warn(
                    "{} failed on {} ({}): {}",
                    stage,
                    BoundedText.truncate(id, MAX_LOGGED_CHARS),
                    envelope,
                    BoundedText.truncate(e.toString(), MAX_LOGGED_CHARS),
                    e);
            return reject(envelope, id, RejectReason.INTERNAL_ERROR, e.toString());
        }
        if (verdict instanceof Verdict.Refused<OUT> refused) {
            return reject(envelope, id, refused.reason(), refused.detail());
        }
        return new Emitted<>(verdict.value());
    }

    private Rejected<OUT> reject(
            KafkaEnvelope envelope, String id, RejectReason reason, String detail) {
        return new Rejected<>(reason, envelope.reject(id, stage, reason, detail, maxRecordBytes));
    }
}
