package io.streamlip.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSinksTest {

    @Test
    void producerStaysWithinTheBrokersLimitsAndKeepsPassThroughProperties() {
        KafkaClients kafka =
                new KafkaClients("k:9092", Map.of("security.protocol", "SSL", "linger.ms", "5"));
        Properties p = KafkaSinks.producerProperties(kafka, KafkaSinks.IMAGE_RECORD_COMPRESSION);
        assertThat(p.getProperty("compression.type")).isEqualTo("none");
        assertThat(Long.parseLong(p.getProperty("transaction.timeout.ms")))
                .isLessThan(Duration.ofMinutes(15).toMillis());
        assertThat(p.getProperty("max.request.size"))
                .isEqualTo(Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        assertThat(p.getProperty("security.protocol")).isEqualTo("SSL");
        assertThat(p.getProperty("linger.ms")).isEqualTo("5");
        assertThat(p.getProperty("batch.size")).isEqualTo(Integer.toString(KafkaSinks.BATCH_BYTES));
        assertThat(p.getProperty("bootstrap.servers")).isEqualTo("k:9092");
        // A cluster's own compression setting wins over the sink's choice.
        assertThat(
                        KafkaSinks.producerProperties(
                                        kafka.with(Map.of("compression.type", "zstd")), "none")
                                .getProperty("compression.type"))
                .isEqualTo("zstd");
    }

    @Test
    void recordsAreAvroKeyedByIdAsUtf8() {
        var serializer =
                new KafkaSinks.AvroRecordSerializer<>(
                        "t", AvroSerde.of(Example.class), Example::getId);
        ProducerRecord<byte[], byte[]> record = serializer.serialize(example("ü-1"), null, 7L);
        assertThat(record.topic()).isEqualTo("t");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("ü-1");
        assertThat(AvroSerde.of(Example.class).decode(record.value())).isEqualTo(example("ü-1"));
        var rejects =
                new KafkaSinks.AvroRecordSerializer<>(
                        "r", AvroSerde.of(Reject.class), Reject::getId);
        Reject withoutId =
                Reject.newBuilder()
                        .setStage("filter")
                        .setReason("not_avro")
                        .setDetail("x")
                        .setRejectTime(Instant.EPOCH)
                        .build();
        assertThat(rejects.serialize(withoutId, null, null).key()).isNull();
    }

    @Test
    void envelopesAreRelayedByteForByte() {
        var serializer = new KafkaSinks.EnvelopeSerializer("to");
        byte[] key = {7, 8};
        byte[] value = {1, 2, 3};
        ProducerRecord<byte[], byte[]> record =
                serializer.serialize(new KafkaEnvelope(key, value, "from", 3, 42L, 99L), null, 5L);
        assertThat(record.topic()).isEqualTo("to");
        assertThat(record.key()).containsExactly(7, 8);
        assertThat(record.value()).containsExactly(1, 2, 3);
        assertThat(record.partition()).isNull();
        assertThat(record.timestamp()).isNull();
        ProducerRecord<byte[], byte[]> keyless =
                serializer.serialize(new KafkaEnvelope(null, value, "from", 0, 0L, 0L), null, null);
        assertThat(keyless.key()).isNull();
    }

    @Test
    @Tag("integration")
    void aFlinkJobWritesExactlyOnceAndCommitsOnCheckpoints(@TempDir Path checkpoints)
            throws Exception {
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics = PipelineTopics.defaults().prefixed("sinks-");
            try (Admin admin = broker.admin()) {
                topics.create(admin);
            }
            List<Example> examples =
                    IntStream.range(0, 25).mapToObj(i -> example("e-" + i)).toList();
            StreamExecutionEnvironment env =
                    JobEnvironment.create(
                            JobSettings.defaults(checkpoints).toBuilder()
                                    .parallelism(2)
                                    .checkpointInterval(Duration.ofMillis(500))
                                    .build());
            env.fromData(examples, EnvelopeStage.avroType(Example.class))
                    .sinkTo(
                            KafkaSinks.examples(
                                    kafka,
                                    topics.examples(),
                                    KafkaSinks.transactionalIdPrefix("test", topics.examples())));
            env.execute("sinks-test");

            List<ConsumerRecord<byte[], byte[]>> written =
                    TopicReader.readRaw(kafka, topics.examples());
            assertThat(written).hasSize(examples.size());
            assertThat(written)
                    .allSatisfy(
                            r ->
                                    assertThat(
                                                    AvroSerde.of(Example.class)
                                                            .decode(r.value())
                                                            .getId())
                                            .isEqualTo(
                                                    new String(r.key(), StandardCharsets.UTF_8)));
            assertThat(TopicReader.readAll(kafka, topics.examples(), AvroSerde.of(Example.class)))
                    .containsExactlyInAnyOrderElementsOf(examples);
        }
    }

    static Example example(String id) {
        return Example.newBuilder()
                .setId(id)
                .setLang("en")
                .setCaption("a caption")
                .setTokenIds(List.of(3, 4, 1))
                .setTokenizerVersion("bytes-v1")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setImageFormat(PixelFormat.RGB8_HWC)
                .setImageSize(1)
                .setSourceTime(Instant.ofEpochMilli(1234))
                .build();
    }
}
