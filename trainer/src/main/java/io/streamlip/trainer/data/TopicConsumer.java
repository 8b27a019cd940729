package io.streamlip.trainer.data;

import io.streamlip.platform.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader's only contact with Kafka: every partition of one topic, assigned (not subscribed: one
 * trainer reads the whole topic), polled at most {@link #maxPollRecords()} at a time. It waits for
 * the topic to exist, pauses and resumes all partitions at once, rewinds them to their earliest
 * records, and commits offsets for lag monitors only: a failed commit is logged, never thrown,
 * because the checkpoint, not the group, is the source of truth.
 */
final class TopicConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicConsumer.class);
    static final Duration TOPIC_WAIT = Duration.ofSeconds(60);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final String groupId;
    private final int maxPollRecords;

    /**
     * A consumer of group {@code groupId} (read_committed, no auto-commit: {@link
     * KafkaClients#consumer}) on every partition of {@code topic}, waiting up to a minute for it.
     */
    static TopicConsumer open(
            KafkaClients kafka, String topic, String groupId, int maxPollRecords) {
        Properties props = kafka.consumer(groupId);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        return new TopicConsumer(
                new KafkaConsumer<>(props), topic, groupId, maxPollRecords, TOPIC_WAIT);
    }

    /**
     * Assigns {@code consumer} every partition of {@code topic}, waiting up to {@code topicWait}
     * for the topic; closes the consumer and throws when it does not appear.
     */
    TopicConsumer(
            Consumer<byte[], byte[]> consumer,
            String topic,
            String groupId,
            int maxPollRecords,
            Duration topicWait) {
        this.consumer = consumer;
        this.topic = topic;
        this.groupId = groupId;
        this.maxPollRecords = maxPollRecords;
        consumer.assign(awaitPartitions(topicWait));
    }

    private List<TopicPartition> awaitPartitions(Duration topicWait) {
        long deadline = System.nanoTime() + topicWait.toNanos();
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // A slow broker (or a starved JVM) answers late: wait on, up to the deadline.
                infos = null;
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> out = new ArrayList<>();
                for (PartitionInfo p : infos) {
                    out.add(new TopicPartition(topic, p.partition()));
                }
                return out;
            }
            if (System.nanoTime() > deadline) {
                consumer.close();
                throw new IllegalStateException(
                        "topic " + topic + " does not exist (waited " + topicWait + ")");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                consumer.close();
                throw new IllegalStateException("interrupted while waiting for " + topic, e);
            }
        }
    }

    String topic() {
        return topic;
    }

    String groupId() {
        return groupId;
    }

    /** The most records one {@link #poll} returns: fewer means the consumer reached the head. */
    int maxPollRecords() {
        return maxPollRecords;
    }

    ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    Set<TopicPartition> assignment() {
        return consumer.assignment();
    }

    Set<TopicPartition> paused() {
        return consumer.paused();
    }

    boolean isPaused() {
        return !consumer.paused().isEmpty();
    }

    /** Pauses every partition: polls go on (keeping the consumer alive) but return nothing. */
    void pauseAll() {
        consumer.pause(consumer.assignment());
    }

    void resumeAll() {
        consumer.resume(consumer.paused());
    }

    void seek(TopicPartition partition, long offset) {
        consumer.seek(partition, offset);
    }

    /** Moves every partition to its earliest retained record; returns those offsets. */
    Map<TopicPartition, Long> rewind() {
        consumer.seekToBeginning(consumer.assignment());
        return consumer.beginningOffsets(consumer.assignment());
    }

    /** Every partition's earliest retained offset (the consumer stays where it is). */
    Map<TopicPartition, Long> beginningOffsets() {
        return consumer.beginningOffsets(consumer.assignment());
    }

    /** The offset of the next record the consumer fetches from {@code partition}. */
    long position(TopicPartition partition) {
        return consumer.position(partition, Duration.ofSeconds(10));
    }

    /** Commits {@code offsets} to the group, logging (not throwing) a failure. */
    void commit(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(commit, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // The checkpoint, not the group, is the source of truth: a failed commit only makes
            // the lag monitor lag behind.
            LOG.warn("could not commit offsets {} to the group: {}", commit, e.toString());
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
