package io.streamlip.monitor;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic incrementally from its beginning: each {@link #readNew} hands over the committed
 * records written since the previous call, up to a time budget (what is left is read next time).
 * Uses no consumer group and commits nothing, so it never shows up as a lagging group itself.
 */
final class TopicTail implements AutoCloseable {
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<TopicPartition> assigned = new HashSet<>();

    TopicTail(KafkaClients kafka, String topic, Duration requestTimeout) {
        this.topic = topic;
        Properties p = kafka.common();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.putIfAbsent(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Long.toString(requestTimeout.toMillis()));
        p.putIfAbsent(
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(requestTimeout.toMillis()));
        p.putAll(kafka.extra());
        this.consumer = new KafkaConsumer<>(p);
    }

    /** Hands every new committed record to {@code sink}, for at most about {@code budget}. */
    void readNew(Duration budget, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        assignNewPartitions();
        if (assigned.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + budget.toNanos();
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
        while (System.nanoTime() < deadline && !caughtUp(ends)) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                sink.accept(r);
            }
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void assignNewPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null) {
            return;
        }
        Set<TopicPartition> now = new HashSet<>();
        for (PartitionInfo info : infos) {
            now.add(new TopicPartition(topic, info.partition()));
        }
        if (!now.equals(assigned)) {
            Set<TopicPartition> added = new HashSet<>(now);
            added.removeAll(assigned);
            assigned.clear();
            assigned.addAll(now);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
