package io.streamlip.platform.kafka;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes {@link RawPair}s to the raw topic, keyed by id. Sends are asynchronous; {@link #close()}
 * flushes and fails if any send failed, so an import either lands or says it did not.
 */
public final class PairProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public PairProducer(KafkaClients kafka, String topic) {
        this.producer = new KafkaProducer<>(kafka.producer());
        this.topic = topic;
    }

    /** Sends one pair. */
    public void send(RawPair pair) {
        send(pair, null);
    }

    /** Sends one pair with Kafka headers (e.g. the simulator's ground truth). */
    public void send(RawPair pair, RecordHeaders headers) {
        sendBytes(pair.getId(), serde.encode(pair), headers);
    }

    /** Sends arbitrary bytes as a value: for tests and simulators of broken producers. */
    public void sendBytes(String key, byte[] value, RecordHeaders headers) {
        Exception earlier = failure.get();
        if (earlier != null) {
            throw new IllegalStateException("an earlier send to " + topic + " failed", earlier);
        }
        producer.send(
                new ProducerRecord<>(
                        topic, null, key.getBytes(StandardCharsets.UTF_8), value, headers),
                (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        sent.incrementAndGet();
                    }
                });
    }

    /** Records acknowledged by the broker so far. */
    public long sent() {
        return sent.get();
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException(
                    "sending to " + topic + " failed: " + e.getMessage(), e);
        }
    }
}
