package io.streamlip.platform.kafka;

import io.streamlip.schemas.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic's committed records, for tests, counts and reports. Not a pipeline stage: it
 * uses a throw-away consumer group and commits nothing.
 */
public final class TopicReader {
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(120);

    private TopicReader() {}

    /** Committed records of {@code topic} that exist now, decoded with {@code serde}. */
    public static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(
            KafkaClients kafka, String topic, AvroSerde<T> serde) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readRaw(kafka, topic)) {
            out.add(serde.decode(r.value()));
        }
        return out;
    }

    /**
     * Polls {@code topic} until {@code done} holds for what was read, or {@code timeout} passes;
     * returns what was read either way.
     */
    public static <T extends org.apache.avro.specific.SpecificRecord> List<T> await(
            KafkaClients kafka,
            String topic,
            AvroSerde<T> serde,
            Predicate<List<T>> done,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<T> records = List.of();
        while (System.nanoTime() < deadline) {
            records = readAll(kafka, topic, serde);
            if (done.test(records)) {
                return records;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return records;
            }
        }
        return records;
    }

    /**
     * Number of committed records in {@code topic} now. On a transactional topic offsets also count
     * commit markers and aborted records, so this reads the records rather than subtracting
     * offsets.
     */
    public static long count(KafkaClients kafka, String topic) {
        long[] n = new long[1];
        scan(kafka, topic, r -> n[0]++);
        return n[0];
    }

    /** Committed records of {@code topic} up to its current end, undecoded. */
    public static List<ConsumerRecord<byte[], byte[]>> readRaw(KafkaClients kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        scan(kafka, topic, out::add);
        return out;
    }

    /**
     * Hands each committed record of {@code topic} up to its current end to {@code sink}; throws
     * when the end is not reached within two minutes.
     */
    public static void scan(
            KafkaClients kafka,
            String topic,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        var props = kafka.consumer("streamlip-reader-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end offsets are the last stable offsets.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    // A count from a partial read would look like lost records: say so instead.
                    throw new IllegalStateException(
                            "could not read "
                                    + topic
                                    + " up to its end offsets "
                                    + end
                                    + " within "
                                    + SCAN_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(r);
                }
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
