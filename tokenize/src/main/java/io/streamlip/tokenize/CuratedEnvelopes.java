package io.streamlip.tokenize;

import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Wraps each curated pair of the filter's output, inside one job, as the record the curated topic
 * would hold: the pair id as key, the pair's Avro message as value, the element's timestamp (the
 * raw pair's Kafka timestamp) as the record's. It has no partition or offset (-1), since it was not
 * read from the topic; the tokenizer and its rejects treat it as any curated record.
 */
final class CuratedEnvelopes extends ProcessFunction<CuratedPair, KafkaEnvelope> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);

    /** Envelopes naming {@code topic}, the curated topic the filter also writes. */
    CuratedEnvelopes(String topic) {
        this.topic = topic;
    }

    @Override
    public void processElement(CuratedPair pair, Context ctx, Collector<KafkaEnvelope> out) {
        Long timestamp = ctx.timestamp();
        out.collect(
                new KafkaEnvelope(
                        pair.getPair().getId().getBytes(StandardCharsets.UTF_8),
                        serde.encode(pair),
                        topic,
                        -1,
                        -1,
                        timestamp == null ? -1 : timestamp));
    }
}
