package io.streamlip.monitor;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.Reject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Puts a small, known pipeline state on a broker: what the monitor tests expect to see. */
final class PipelineFixture {
    static final int RAW = 40;
    static final int COMMITTED = 15; // 10 on partition 0, 5 on partition 1
    static final int REJECTS = 6;
    static final String FILTER_GROUP = "streamlip-filter-mon-raw-pairs";

    private PipelineFixture() {}

    static void populate(KafkaClients kafka, PipelineTopics topics) {
        populate(kafka, topics, "mon-");
    }

    /** The same state with the filter group named after {@code prefix}'s raw-pairs topic. */
    static void populate(KafkaClients kafka, PipelineTopics topics, String prefix) {
        try (Admin admin = Admin.create(kafka.common())) {
            topics.create(admin);
        }
        produceRaw(kafka, topics, RAW);
        AvroSerde<Reject> rejects = AvroSerde.of(Reject.class);
        AvroSerde<ModelUpdate> updates = AvroSerde.of(ModelUpdate.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            String[][] reasons = {
                {"filter", "duplicate"},
                {"filter", "duplicate"},
                {"filter", "duplicate"},
                {"filter", "caption_too_short"},
                {"tokenize", "image_undecodable"},
                {"tokenize", "image_undecodable"}
            };
            for (int i = 0; i < reasons.length; i++) {
                Reject r =
                        Reject.newBuilder()
                                .setId("r" + i)
                                .setStage(reasons[i][0])
                                .setReason(reasons[i][1])
                                .setDetail("test")
                                .setRejectTime(Instant.now())
                                .build();
                producer.send(
                        new ProducerRecord<>(topics.rejects(), i % 2, null, rejects.encode(r)));
            }
            Instant t0 = Instant.now().minusSeconds(30);
            for (int i = 1; i <= 2; i++) {
                ModelUpdate u =
                        ModelUpdate.newBuilder()
                                .setModelVersion("run/step-" + (100 * i))
                                .setStep(100L * i)
                                .setExamplesSeen(6400L * i)
                                .setCheckpointPath("/tmp/ckpt/" + i)
                                .setLoss(i == 1 ? 6.0 : 4.5)
                                .setEval(
                                        i == 2 ? Map.of("i2t_r1", 0.125, "t2i_r1", 0.25) : Map.of())
                                .setCreatedTime(t0.plusSeconds(10L * i))
                                .build();
                producer.send(new ProducerRecord<>(topics.modelUpdates(), updates.encode(u)));
            }
            producer.flush();
        }
        // the filter job's group: committed 10 on partition 0 and 5 on partition 1
        var props = kafka.consumer("streamlip-filter-" + prefix + "raw-pairs");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.commitSync(
                    Map.of(
                            new TopicPartition(topics.rawPairs(), 0), new OffsetAndMetadata(10),
                            new TopicPartition(topics.rawPairs(), 1), new OffsetAndMetadata(5)));
        }
    }

    /** {@code count} records on raw-pairs, spread evenly over its 2 partitions. */
    static void produceRaw(KafkaClients kafka, PipelineTopics topics, int count) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int i = 0; i < count; i++) {
                byte[] value = ("pair " + i).repeat(20).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topics.rawPairs(), i % 2, null, value));
            }
            producer.flush();
        }
    }

    /** A loopback port nothing listens on. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
