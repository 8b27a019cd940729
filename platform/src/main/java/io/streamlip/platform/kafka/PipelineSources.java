package io.streamlip.platform.kafka;

import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Flink sources of the pipeline. They hand over {@link KafkaEnvelope}s: decoding happens in the
 * job, where a bad record can be routed to the rejects topic.
 */
public final class PipelineSources {
    /**
     * The sources' {@code fetch.min.bytes}: the broker answers a fetch once this much is there (or
     * after {@link #FETCH_MAX_WAIT}). Pass-through client properties override it.
     */
    public static final int FETCH_MIN_BYTES = 64 * 1024;

    /**
     * The sources' {@code fetch.max.wait.ms}: the latency a quiet stream pays per fetch at most.
     */
    public static final java.time.Duration FETCH_MAX_WAIT = java.time.Duration.ofMillis(100);

    private PipelineSources() {}

    /**
     * A source reading {@code topic} from the committed offsets of {@code groupId} (earliest when
     * the group has none), only committed records.
     *
     * @param bounded stop at the offsets that are latest when the job starts (tests, one-shot
     *     imports); the pipeline itself runs unbounded
     */
    public static KafkaSource<KafkaEnvelope> envelopes(
            KafkaClients kafka, String topic, String groupId, boolean bounded) {
        KafkaSourceBuilder<KafkaEnvelope> builder =
                KafkaSource.<KafkaEnvelope>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setProperties(kafka.common())
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(
                                        org.apache.kafka.clients.consumer.OffsetResetStrategy
                                                .EARLIEST))
                        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .setProperty(
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES))
                        .setProperty("partition.discovery.interval.ms", "10000")
                        .setDeserializer(new EnvelopeDeserializer());
        fetchTuning(kafka).forEach(builder::setProperty);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * A source reading the compacted {@code topic} from its beginning every time the job starts
     * fresh (a restored job resumes at its checkpointed offsets): the state built from it is the
     * whole topic, not what arrived since a consumer group last committed. Only committed records;
     * a null value (tombstone) arrives as an envelope with a null value.
     *
     * @param bounded stop at the offsets that are latest when the job starts
     */
    public static KafkaSource<KafkaEnvelope> compactedEnvelopes(
            KafkaClients kafka, String topic, String groupId, boolean bounded) {
        KafkaSourceBuilder<KafkaEnvelope> builder =
                KafkaSource.<KafkaEnvelope>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setProperties(kafka.common())
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .setDeserializer(new EnvelopeDeserializer());
        // A quiet topic read for latency: fetches answer at once, not after 64 KiB arrived.
        builder.setProperty(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
        kafka.extra().forEach(builder::setProperty);
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * The sources' fetch settings that the pass-through client properties do not set: fetch in
     * bites of {@link #FETCH_MIN_BYTES} or {@link #FETCH_MAX_WAIT}, whichever comes first. With
     * Kafka's default of 1 byte a busy stream is fetched a few records per request, each costing
     * the broker's request and network threads and the source's fetcher.
     */
    static Map<String, String> fetchTuning(KafkaClients kafka) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(FETCH_MIN_BYTES));
        out.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(FETCH_MAX_WAIT.toMillis()));
        out.keySet().removeAll(kafka.extra().keySet());
        return out;
    }

    /**
     * The consumer group a stage reads {@code topic} with, e.g. {@code streamlip-filter-raw-pairs}:
     * its committed offsets (committed on checkpoints) are where a restarted job resumes, and its
     * lag is the stage's backlog.
     */
    public static String consumerGroup(String stage, String topic) {
        return "streamlip-" + stage + "-" + topic;
    }

    /**
     * A stage's input stream: {@code topic} read as {@link #consumerGroup(String, String)}, with a
     * stable operator uid ({@code <stage>-source}) so savepoints map back to it.
     */
    public static DataStream<KafkaEnvelope> read(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            String topic,
            String stage,
            boolean bounded) {
        return env.fromSource(
                        envelopes(kafka, topic, consumerGroup(stage, topic), bounded),
                        WatermarkStrategy.noWatermarks(),
                        topic + "-source")
                .uid(stage + "-source");
    }

    /** Wraps each record as it is; never fails. */
    static final class EnvelopeDeserializer
            implements KafkaRecordDeserializationSchema<KafkaEnvelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaEnvelope> out)
                throws IOException {
            out.collect(
                    new KafkaEnvelope(
                            record.key(),
                            record.value(),
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp()));
        }

        @Override
        public TypeInformation<KafkaEnvelope> getProducedType() {
            return TypeInformation.of(KafkaEnvelope.class);
        }
    }
}
