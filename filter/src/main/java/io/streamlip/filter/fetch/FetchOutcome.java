package io.streamlip.filter.fetch;

import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.RejectReason;

/**
 * What the fetch stage made of one raw record, between its async operator and the operator that
 * counts and splits ({@link FetchOutcomeFunction}): the envelope to curate (the original, or the
 * pair re-encoded with its fetched image), or a refusal. A Flink POJO: public fields and a
 * no-argument constructor.
 */
public class FetchOutcome {
    /** The record to curate; on a refusal, the original (its reject carries it). */
    public KafkaEnvelope envelope;

    /** The pair's id, when the record decoded. */
    public String id;

    /** Why the fetch failed; null when it did not (or no fetch was needed). */
    public RejectReason reason;

    /** What was seen, for the reject; null without a reason. */
    public String detail;

    /** How long the fetch took in microseconds; -1 when nothing was fetched. */
    public long latencyMicros = -1;

    /** The bytes fetched; 0 when nothing was fetched. */
    public int bytes;

    public FetchOutcome() {}

    /** A record that needs no fetch (bytes inline, not a pair, or refused on its text). */
    static FetchOutcome unchanged(KafkaEnvelope envelope) {
        FetchOutcome o = new FetchOutcome();
        o.envelope = envelope;
        return o;
    }

    /** A pair whose image was fetched, re-encoded as {@code envelope}. */
    static FetchOutcome fetched(KafkaEnvelope envelope, String id, long latencyMicros, int bytes) {
        FetchOutcome o = unchanged(envelope);
        o.id = id;
        o.latencyMicros = latencyMicros;
        o.bytes = bytes;
        return o;
    }

    /** A pair whose image could not be fetched. */
    static FetchOutcome refused(
            KafkaEnvelope original,
            String id,
            RejectReason reason,
            String detail,
            long latencyMicros) {
        FetchOutcome o = unchanged(original);
        o.id = id;
        o.reason = reason;
        o.detail = detail;
        o.latencyMicros = latencyMicros;
        return o;
    }
}
