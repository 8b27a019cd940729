package io.streamlip.filter.blocklist;

import io.streamlip.platform.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes the blocklist topic: an entry is added as a record keyed by its canonical text ({@link
 * BlocklistEntry#text()}) with the same text as value, and removed by a tombstone (null value) with
 * that key; compaction keeps the newest record of each key. Closing flushes.
 */
public final class BlocklistTopic implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public BlocklistTopic(KafkaClients kafka, String topic) {
        this.producer = new KafkaProducer<>(kafka.producer());
        this.topic = topic;
    }

    /** Adds {@code entry}; returns the record's offset once the broker has it. */
    public long add(BlocklistEntry entry) {
        return send(entry, entry.text().getBytes(StandardCharsets.UTF_8));
    }

    /** Removes {@code entry} (a tombstone); returns the record's offset. */
    public long remove(BlocklistEntry entry) {
        return send(entry, null);
    }

    private long send(BlocklistEntry entry, byte[] value) {
        byte[] key = entry.text().getBytes(StandardCharsets.UTF_8);
        try {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, key, value)).get();
            return sent.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot write " + entry + " to " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
