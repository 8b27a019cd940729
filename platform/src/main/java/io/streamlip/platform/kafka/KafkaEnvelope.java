package io.streamlip.platform.kafka;

import io.streamlip.platform.bounds.Rejects;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One Kafka record as the jobs read it: raw key and value plus where it came from. Jobs decode the
 * value in an operator (not in the source) so that a record which is not valid Avro becomes a
 * {@link Reject} instead of failing the job.
 *
 * <p>A Flink POJO: public fields and a no-argument constructor.
 */
public class KafkaEnvelope {
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    public KafkaEnvelope() {}

    public KafkaEnvelope(
            byte[] key, byte[] value, String topic, int partition, long offset, long timestamp) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    /**
     * A reject for this record, carrying its bytes and position so nothing is lost, within the
     * pipeline's record limit ({@link PipelineTopics#MAX_MESSAGE_BYTES}); see {@link
     * #reject(String, String, RejectReason, String, int)}.
     */
    public Reject reject(String id, String stage, RejectReason reason, String detail) {
        return reject(id, stage, reason, detail, PipelineTopics.MAX_MESSAGE_BYTES);
    }

    /**
     * A reject for this record, carrying its bytes and position, made to fit a rejects topic whose
     * record limit is {@code maxRecordBytes} ({@link Rejects#fit}: the detail capped at about 1 KB,
     * and the payload dropped, the position kept, when the whole would not fit).
     */
    public Reject reject(
            String id, String stage, RejectReason reason, String detail, int maxRecordBytes) {
        Reject reject =
                Reject.newBuilder()
                        .setId(id)
                        .setStage(stage)
                        .setReason(reason.code())
                        .setDetail(Rejects.capDetail(detail))
                        .setKey(key == null ? null : ByteBuffer.wrap(key))
                        .setTopic(topic)
                        .setPartition(partition)
                        .setOffset(offset)
                        .setPayload(value == null ? null : ByteBuffer.wrap(value))
                        .setRejectTime(Instant.now())
                        .build();
        return Rejects.fit(reject, maxRecordBytes);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
