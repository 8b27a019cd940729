package io.streamlip.trainer.data;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A topic without a broker: Kafka's {@link MockConsumer} with {@code partitions} partitions
 * starting at offset 0, for fast tests of the streaming reader's parts. Record {@code offset} of
 * partition {@code p} carries the timestamp {@code 1000 * (p + 1) + offset}.
 */
final class MockTopic {
    static final String NAME = "examples";

    final MockConsumer<byte[], byte[]> consumer;
    private final int partitions;

    MockTopic(int partitions) {
        this(partitions, new MockConsumer<>("earliest"));
    }

    /** The topic read through {@code consumer} (a test's own subclass). */
    MockTopic(int partitions, MockConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        this.partitions = partitions;
        List<PartitionInfo> infos = new ArrayList<>();
        Map<TopicPartition, Long> beginnings = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new PartitionInfo(NAME, p, null, null, null));
            beginnings.put(new TopicPartition(NAME, p), 0L);
        }
        consumer.updatePartitions(NAME, infos);
        consumer.updateBeginningOffsets(beginnings);
    }

    /** A {@link TopicConsumer} on this topic (call once). */
    TopicConsumer open(int maxPollRecords) {
        consumer.setMaxPollRecords(maxPollRecords);
        return new TopicConsumer(consumer, NAME, "group", maxPollRecords, Duration.ofSeconds(1));
    }

    /** Appends {@code value} at {@code offset} of {@code partition}. */
    void add(int partition, long offset, byte[] value) {
        consumer.addRecord(record(partition, offset, value));
    }

    /**
     * Appends the numbered examples {@code from} to {@code to - 1} round-robin over the partitions,
     * example {@code i} at offset {@code i / partitions}, in {@code langs} by turns.
     */
    void addExamples(int from, int to, List<String> langs) {
        for (int i = from; i < to; i++) {
            add(
                    i % partitions,
                    i / partitions,
                    StreamExamples.encode(i, langs.get(i % langs.size())));
        }
    }

    static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(
                NAME,
                partition,
                offset,
                1000L * (partition + 1) + offset,
                TimestampType.CREATE_TIME,
                -1,
                value.length,
                null,
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
