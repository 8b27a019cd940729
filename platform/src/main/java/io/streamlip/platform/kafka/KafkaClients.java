package io.streamlip.platform.kafka;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Connection settings shared by every Kafka client of the pipeline: the bootstrap servers plus any
 * client properties (security, SASL/SSL, timeouts) that must reach every producer and consumer.
 *
 * @param bootstrapServers {@code host:port[,host:port]}
 * @param extra properties passed through unchanged to every client: they win over the defaults of
 *     {@link #producer()} and {@link #consumer(String)}, since a cluster may need other limits
 */
public record KafkaClients(String bootstrapServers, Map<String, String> extra)
        implements Serializable {

    public KafkaClients {
        extra = Map.copyOf(extra);
    }

    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(bootstrapServers, Map.of());
    }

    /** This client configuration with {@code properties} added (they win over earlier ones). */
    public KafkaClients with(Map<String, String> properties) {
        Map<String, String> merged = new java.util.LinkedHashMap<>(extra);
        merged.putAll(properties);
        return new KafkaClients(bootstrapServers, merged);
    }

    /** The bootstrap servers and the pass-through properties, secrets masked ({@link Secrets}). */
    @Override
    public String toString() {
        return "KafkaClients[bootstrapServers="
                + bootstrapServers
                + ", extra="
                + Secrets.mask(extra)
                + "]";
    }

    /** Common properties: bootstrap servers and the pass-through ones. */
    public Properties common() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(extra);
        return p;
    }

    /**
     * An idempotent producer of byte arrays, sized for image records and uncompressed: an encoded
     * image (most of a raw pair) does not shrink, and a compressed batch costs the producer, the
     * broker (which decompresses every batch to validate it) and each consumer CPU for nothing.
     */
    public Properties producer() {
        Properties p = common();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        p.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        p.putAll(extra);
        return p;
    }

    /**
     * A consumer of byte arrays that only sees committed records (the jobs write transactionally).
     */
    public Properties consumer(String groupId) {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        p.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.putAll(extra);
        return p;
    }
}
