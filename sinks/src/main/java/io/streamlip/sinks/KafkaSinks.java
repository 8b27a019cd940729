package io.streamlip.sinks;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Reject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The pipeline's Kafka sinks: Avro records (single-object encoding, {@link AvroSerde}) keyed by
 * their id, written exactly once.
 *
 * <p>Exactly once means Kafka transactions committed on Flink checkpoints: the job must checkpoint
 * (see {@code JobEnvironment}), and consumers see the records only with {@code read_committed}, one
 * checkpoint interval after they were written. Every sink of a job needs its own transactional id
 * prefix, and two jobs running at the same time must not share one (they would fence each other);
 * {@link #transactionalIdPrefix} derives a unique one from the job stage and topic.
 */
public final class KafkaSinks {

    /**
     * How long a transaction may stay open. Below the broker's {@code transaction.max.timeout.ms}
     * (15 min by default; Flink's own default of 1 h is refused by such brokers), and well above
     * any checkpoint interval plus restart time.
     */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Producer compression of records that are mostly an encoded image (curated pairs, rejects):
     * none. PNG and JPEG bytes do not shrink, and a compressed batch costs the producer, the broker
     * (which decompresses every batch to validate it) and every consumer CPU for nothing.
     */
    public static final String IMAGE_RECORD_COMPRESSION = "none";

    /**
     * Producer compression of examples: lz4, since they carry raw pixels (and token ids), which do
     * shrink, and Kafka's bandwidth is what limits a GPU trainer.
     */
    public static final String PIXEL_RECORD_COMPRESSION = "lz4";

    /** The producers' {@code batch.size}: 128 KiB (Kafka's default is 16 KiB). */
    public static final int BATCH_BYTES = 128 * 1024;

    private KafkaSinks() {}

    /**
     * An exactly-once sink of {@code type} records to {@code topic}.
     *
     * @param kafka connection settings; their pass-through properties reach the producer
     * @param key the record's Kafka key (its id), written as UTF-8; {@code null} for no key
     * @param transactionalIdPrefix unique per sink and running job, e.g. from {@link
     *     #transactionalIdPrefix}
     */
    public static <T extends SpecificRecord> KafkaSink<T> avro(
            KafkaClients kafka,
            String topic,
            Class<T> type,
            SerializableFunction<T, String> key,
            String transactionalIdPrefix) {
        return avro(kafka, topic, type, key, transactionalIdPrefix, PIXEL_RECORD_COMPRESSION);
    }

    /**
     * As {@link #avro(KafkaClients, String, Class, SerializableFunction, String)}, with the
     * producer's {@code compression.type} (e.g. {@link #IMAGE_RECORD_COMPRESSION}); a {@code
     * compression.type} among the pass-through properties still wins.
     */
    public static <T extends SpecificRecord> KafkaSink<T> avro(
            KafkaClients kafka,
            String topic,
            Class<T> type,
            SerializableFunction<T, String> key,
            String transactionalIdPrefix,
            String compression) {
        Objects.requireNonNull(topic, "topic");
        return exactlyOnce(
                kafka,
                new AvroRecordSerializer<>(topic, AvroSerde.of(type), key),
                transactionalIdPrefix,
                compression);
    }

    /** Curated pairs, keyed by the raw pair's id, uncompressed (their bulk is the image). */
    public static KafkaSink<CuratedPair> curatedPairs(
            KafkaClients kafka, String topic, String transactionalIdPrefix) {
        return avro(
                kafka,
                topic,
                CuratedPair.class,
                pair -> pair.getPair().getId(),
                transactionalIdPrefix,
                IMAGE_RECORD_COMPRESSION);
    }

    /** Training examples, keyed by id, lz4-compressed (raw pixels shrink). */
    public static KafkaSink<Example> examples(
            KafkaClients kafka, String topic, String transactionalIdPrefix) {
        return avro(
                kafka,
                topic,
                Example.class,
                Example::getId,
                transactionalIdPrefix,
                PIXEL_RECORD_COMPRESSION);
    }

    /**
     * Rejects, keyed by the refused record's id when it could be read (a record that is not Avro
     * has none: its original key is kept inside the reject), uncompressed (their bulk is the
     * refused record, image and all).
     */
    public static KafkaSink<Reject> rejects(
            KafkaClients kafka, String topic, String transactionalIdPrefix) {
        return avro(
                kafka,
                topic,
                Reject.class,
                Reject::getId,
                transactionalIdPrefix,
                IMAGE_RECORD_COMPRESSION);
    }

    /**
     * An exactly-once sink that writes each envelope's key and value bytes to {@code topic} as they
     * are: a relay from one topic to another with no decoding. {@code streamlip bench datapath}
     * relays the pipeline's two hops with it to measure what Kafka and Flink cost a record before
     * any stage does work.
     */
    public static KafkaSink<KafkaEnvelope> envelopes(
            KafkaClients kafka, String topic, String transactionalIdPrefix, String compression) {
        Objects.requireNonNull(topic, "topic");
        return exactlyOnce(
                kafka, new EnvelopeSerializer(topic), transactionalIdPrefix, compression);
    }

    private static <T> KafkaSink<T> exactlyOnce(
            KafkaClients kafka,
            KafkaRecordSerializationSchema<T> serializer,
            String transactionalIdPrefix,
            String compression) {
        Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(producerProperties(kafka, compression))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /**
     * A transactional id prefix for the sink of {@code stage} writing {@code topic}, e.g. {@code
     * streamlip-filter-curated-pairs}. Topics are unique per pipeline (a prefixed pipeline has
     * prefixed topics), so two pipelines on one broker get different prefixes.
     */
    public static String transactionalIdPrefix(String stage, String topic) {
        return "streamlip-" + stage + "-" + topic;
    }

    /**
     * Producer settings: the pass-through client properties, records up to the broker's size limit,
     * a transaction timeout the broker accepts, batches of {@link #BATCH_BYTES}, and {@code
     * compression}.
     */
    static Properties producerProperties(KafkaClients kafka, String compression) {
        Properties p = kafka.common();
        p.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        p.put(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, Objects.requireNonNull(compression));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        // Batches of up to 128 KiB per partition rather than 16: an example or an image record is
        // a few KB, so the default filled a batch every few records, and each batch became a
        // request of its own to the broker within the 20 ms linger.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_BYTES));
        // The pass-through properties win: a cluster may need other limits.
        p.putAll(kafka.extra());
        return p;
    }

    /** Writes an envelope's key and value unchanged; the broker stamps the time. */
    static final class EnvelopeSerializer implements KafkaRecordSerializationSchema<KafkaEnvelope> {
        private static final long serialVersionUID = 1L;

        private final String topic;

        EnvelopeSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                KafkaEnvelope element, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, element.key, element.value);
        }
    }

    /** Writes a record with {@link AvroSerde}; the key is the id as UTF-8. */
    static final class AvroRecordSerializer<T extends SpecificRecord>
            implements KafkaRecordSerializationSchema<T> {
        private static final long serialVersionUID = 1L;

        private final String topic;
        private final AvroSerde<T> serde;
        private final SerializableFunction<T, String> key;

        AvroRecordSerializer(
                String topic, AvroSerde<T> serde, SerializableFunction<T, String> key) {
            this.topic = topic;
            this.serde = serde;
            this.key = key;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                T element, KafkaSinkContext context, Long timestamp) {
            String id = key.apply(element);
            byte[] keyBytes = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
            // No timestamp: a derived record is new, so the broker stamps it now (retention counts
            // from there); the time of its source travels inside the record.
            return new ProducerRecord<>(topic, null, null, keyBytes, serde.encode(element));
        }
    }
}
