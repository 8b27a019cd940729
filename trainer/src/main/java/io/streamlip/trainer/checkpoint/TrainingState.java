package io.streamlip.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamlip.trainer.data.StreamPosition;
import io.streamlip.trainer.model.ModelConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@code state.json} of a checkpoint: where training stood when it was written.
 *
 * @param modelVersion unique name of the checkpoint, {@code <run>/step-NNNNNNNN}
 * @param step optimizer steps taken
 * @param examplesSeen examples trained on
 * @param skippedRecords records refused by the loader so far (counted across restarts)
 * @param offsets per partition, the next offset to read: all before was trained or refused
 * @param model the model's shape, enough to rebuild it
 * @param tokenizerVersion the tokenizer the model reads
 * @param trainer the trainer configuration of the run, for the record
 * @param loss a summary of the training loss
 * @param temperature {@code t = exp(t')} at this step
 * @param bias {@code b} at this step
 * @param createdTime when it was written (ISO-8601)
 * @param eval held-out evaluation at this step (metric to value), empty when none ran
 * @param stream per partition, what was read and what was still buffered (empty without offsets)
 * @param rngState the trainer's {@link io.streamlip.trainer.data.StreamRandom}; null in older ones
 * @param freshness produce-to-trained latency of the latest examples at this step, null if unknown
 * @param routing LIMoE: how the last step routed ({@code RoutingStats.metrics}); empty otherwise
 */
public record TrainingState(
        String modelVersion,
        long step,
        long examplesSeen,
        long skippedRecords,
        List<PartitionOffset> offsets,
        ModelConfig model,
        String tokenizerVersion,
        JsonNode trainer,
        LossSummary loss,
        double temperature,
        double bias,
        String createdTime,
        Map<String, Double> eval,
        List<StreamPosition.Partition> stream,
        Long rngState,
        Freshness freshness,
        Map<String, Double> routing) {

    /** A state without routing metrics (the families other than LIMoE). */
    public TrainingState(
            String modelVersion,
            long step,
            long examplesSeen,
            long skippedRecords,
            List<PartitionOffset> offsets,
            ModelConfig model,
            String tokenizerVersion,
            JsonNode trainer,
            LossSummary loss,
            double temperature,
            double bias,
            String createdTime,
            Map<String, Double> eval,
            List<StreamPosition.Partition> stream,
            Long rngState,
            Freshness freshness) {
        this(
                modelVersion,
                step,
                examplesSeen,
                skippedRecords,
                offsets,
                model,
                tokenizerVersion,
                trainer,
                loss,
                temperature,
                bias,
                createdTime,
                eval,
                stream,
                rngState,
                freshness,
                null);
    }

    public TrainingState {
        routing =
                routing == null
                        ? Map.of()
                        : java.util.Collections.unmodifiableMap(
                                new java.util.LinkedHashMap<>(routing));
        stream = stream == null ? List.of() : List.copyOf(stream);
        offsets = offsets == null ? List.of() : List.copyOf(offsets);
        eval =
                eval == null
                        ? Map.of()
                        : java.util.Collections.unmodifiableMap(
                                new java.util.LinkedHashMap<>(eval));
    }

    /**
     * Percentiles of the produce-to-trained latency (Kafka record timestamp to the end of the step
     * that trained the example).
     *
     * @param count examples they cover
     * @param p50Millis median, ms
     * @param p95Millis 95th percentile, ms
     */
    public record Freshness(long count, double p50Millis, double p95Millis) {}

    /** Where reading resumes: {@code stream}, or for older checkpoints {@code offsets}. */
    public StreamPosition position() {
        return stream.isEmpty() ? StreamPosition.of(offsetMap()) : new StreamPosition(stream);
    }

    /** The next offset to read of one partition. */
    public record PartitionOffset(String topic, int partition, long offset) {}

    /**
     * @param firstMean mean loss of the run's first steps (up to 10)
     * @param lastMean mean loss of the latest steps (up to 10)
     * @param sinceLastCheckpoint mean loss since the previous checkpoint
     * @param history {@code [step, mean loss]} over consecutive windows of steps
     */
    public record LossSummary(
            Double firstMean, Double lastMean, Double sinceLastCheckpoint, List<double[]> history) {
        public LossSummary {
            history = history == null ? List.of() : List.copyOf(history);
        }
    }

    /** The offsets as Kafka's map. */
    public Map<TopicPartition, Long> offsetMap() {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (PartitionOffset o : offsets) {
            out.put(new TopicPartition(o.topic(), o.partition()), o.offset());
        }
        return out;
    }

    /** Kafka's map as a list sorted by topic and partition (stable JSON). */
    public static List<PartitionOffset> offsetList(Map<TopicPartition, Long> offsets) {
        return offsets.entrySet().stream()
                .map(
                        e ->
                                new PartitionOffset(
                                        e.getKey().topic(), e.getKey().partition(), e.getValue()))
                .sorted(
                        java.util.Comparator.comparing(PartitionOffset::topic)
                                .thenComparingInt(PartitionOffset::partition))
                .toList();
    }
}
