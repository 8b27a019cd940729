package io.streamlip.monitor;

import java.util.List;
import java.util.Map;

/**
 * What the monitor saw at one moment: the pipeline's topics, its consumer groups with their lag and
 * status, the rejects by stage and reason, and the trainer. Serialised as JSON by {@code monitor
 * --once --json}, the dashboard and the history.
 *
 * @param time when it was taken (epoch milliseconds)
 * @param bootstrap the Kafka bootstrap servers it was taken from
 * @param reachable whether Kafka answered; when false, {@code error} says why and the lists are
 *     empty
 * @param error why Kafka could not be read, or null
 * @param topics the pipeline topics, in pipeline order
 * @param groups the consumer groups that committed offsets on a pipeline topic, by name
 * @param rejects refused records by stage and reason
 * @param trainer the trainer as its model updates (and metrics file) show it, or null before any
 */
public record Snapshot(
        long time,
        String bootstrap,
        boolean reachable,
        String error,
        List<TopicStats> topics,
        List<GroupStats> groups,
        RejectStats rejects,
        TrainerStats trainer) {

    /** How bytes/s is measured (also in the JSON as {@code bytesSource} of each topic). */
    public static final String BYTES_SOURCE = "broker log size (Admin.describeLogDirs)";

    /** A snapshot saying Kafka could not be read. */
    public static Snapshot unreachable(long time, String bootstrap, String error) {
        return new Snapshot(
                time, bootstrap, false, error, List.of(), List.of(), RejectStats.NONE, null);
    }

    /** The topic called {@code name}, or null. */
    public TopicStats topic(String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** The group called {@code name}, or null. */
    public GroupStats group(String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst().orElse(null);
    }

    /**
     * One topic.
     *
     * @param name topic name
     * @param partitions partition count
     * @param startOffsets each partition's log start offset, by partition number
     * @param endOffsets each partition's end offset (high-water mark), by partition number
     * @param records records the partitions hold now: end minus start, summed (transaction markers
     *     count as offsets too)
     * @param sizeBytes bytes of the partitions' logs on the broker (one replica each)
     * @param messagesPerSecond growth of the summed end offsets since the previous snapshot (NaN
     *     for the first)
     * @param bytesPerSecond growth of {@code sizeBytes} since the previous snapshot, never negative
     *     (retention deleting segments shows as 0); NaN for the first
     * @param bytesSource how bytes are measured: {@value #BYTES_SOURCE}
     */
    public record TopicStats(
            String name,
            int partitions,
            List<Long> startOffsets,
            List<Long> endOffsets,
            long records,
            long sizeBytes,
            double messagesPerSecond,
            double bytesPerSecond,
            String bytesSource) {

        /** The summed end offsets: records ever written to the topic. */
        public long endOffsetSum() {
            return endOffsets.stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * One consumer group, restricted to the pipeline topics.
     *
     * @param group the group id
     * @param state the group's state as the coordinator reports it (Flink's KafkaSource uses no
     *     group membership, so its groups are EMPTY while the job runs)
     * @param members live members
     * @param status Burrow's group status: OK, WARN or ERR
     * @param worstPartition the worst partition status (OK, WARN, STALL, STOP, ERR)
     * @param totalLag summed lag
     * @param maxLag the largest partition lag
     * @param complete how full the evaluation windows are, in [0, 1] (the smallest of its
     *     partitions): statuses are firm at 1
     * @param partitions the group's partitions
     */
    public record GroupStats(
            String group,
            String state,
            int members,
            LagStatus status,
            LagStatus worstPartition,
            long totalLag,
            long maxLag,
            double complete,
            List<PartitionLag> partitions) {}

    /**
     * One partition of a group.
     *
     * @param committed the group's committed offset
     * @param end the partition's end offset
     * @param lag {@code end - committed}, never negative
     * @param status by {@link LagRules} over the partition's window
     */
    public record PartitionLag(
            String topic, int partition, long committed, long end, long lag, LagStatus status) {}

    /**
     * The rejects topic read so far.
     *
     * @param total records read from it
     * @param byStage counts by stage, then by reason code
     */
    public record RejectStats(long total, Map<String, Map<String, Long>> byStage) {
        public static final RejectStats NONE = new RejectStats(0, Map.of());
    }

    /**
     * The trainer.
     *
     * @param modelVersion the newest checkpoint announced on model-updates, or null
     * @param step the trainer's step (its metrics file when newer, else the newest model update)
     * @param examplesSeen examples trained on in total
     * @param loss the latest mean loss (NaN when unknown)
     * @param examplesPerSecond training throughput (from the metrics file, else between the last
     *     two model updates; NaN when unknown)
     * @param freshnessSeconds age of the newest model update: how long ago the trainer last
     *     published a model (NaN when none)
     * @param eval the newest evaluation summary (metric name to value), empty when none
     * @param updates model updates read
     * @param source where the figures come from: {@code model-updates} or {@code metrics-file}
     */
    public record TrainerStats(
            String modelVersion,
            long step,
            long examplesSeen,
            double loss,
            double examplesPerSecond,
            double freshnessSeconds,
            Map<String, Double> eval,
            long updates,
            String source) {}
}
