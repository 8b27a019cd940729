package io.streamlip.trainer.data;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a streaming reader stands, exactly: per partition, what has been read and which of the
 * records read are still waiting to be trained (in the shuffle buffer).
 *
 * <p>Resuming from it ({@link BatchSource#seek}) re-reads each partition from {@code trainedUpTo}
 * and trains only the {@code pending} records and those at or after {@code readUpTo}: every record
 * is trained exactly once across a crash, and the buffer's contents need not be saved (they are
 * still in Kafka).
 *
 * @param partitions one entry per partition read so far, sorted by topic and partition
 */
public record StreamPosition(List<Partition> partitions) {

    /** Nothing read yet. */
    public static final StreamPosition NONE = new StreamPosition(List.of());

    public StreamPosition {
        partitions =
                partitions == null
                        ? List.of()
                        : partitions.stream()
                                .sorted(
                                        Comparator.comparing(Partition::topic)
                                                .thenComparingInt(Partition::partition))
                                .toList();
    }

    /**
     * One partition's position.
     *
     * @param topic the topic
     * @param partition the partition
     * @param trainedUpTo every record before this offset has been trained (or refused, or sampled
     *     out): the offset committed to the consumer group and where a restart reads from
     * @param readUpTo the next offset to read: records from here on were never seen
     * @param pending offsets in {@code [trainedUpTo, readUpTo)} read but not yet trained (the
     *     first, if any, is {@code trainedUpTo}), ascending
     */
    public record Partition(
            String topic, int partition, long trainedUpTo, long readUpTo, List<Long> pending) {
        public Partition {
            pending = pending == null ? List.of() : List.copyOf(pending);
        }

        public TopicPartition topicPartition() {
            return new TopicPartition(topic, partition);
        }
    }

    /** A position with nothing pending: everything before {@code offsets} was trained. */
    public static StreamPosition of(Map<TopicPartition, Long> offsets) {
        return new StreamPosition(
                offsets.entrySet().stream()
                        .map(
                                e ->
                                        new Partition(
                                                e.getKey().topic(),
                                                e.getKey().partition(),
                                                e.getValue(),
                                                e.getValue(),
                                                List.of()))
                        .toList());
    }

    /** Per partition, the offset everything before which has been trained. */
    public Map<TopicPartition, Long> trainedUpTo() {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Partition p : partitions) {
            out.put(p.topicPartition(), p.trainedUpTo());
        }
        return out;
    }

    /** Records read but not yet trained, over all partitions. */
    public long pendingCount() {
        return partitions.stream().mapToLong(p -> p.pending().size()).sum();
    }
}
