package io.streamlip.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The in-process broker with the platform's topics, clients and record limit. */
@Tag("integration")
class KafkaBrokerTest {
    static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.startTemporary();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void createsThePipelineTopicsWithTheirPartitions() throws Exception {
        PipelineTopics topics = PipelineTopics.builder().partitions(3).build().prefixed("t1-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
            topics.create(admin); // idempotent
            var described =
                    admin.describeTopics(List.of(topics.rawPairs(), topics.modelUpdates()))
                            .allTopicNames()
                            .get();
            assertThat(described.get(topics.rawPairs()).partitions()).hasSize(3);
            assertThat(described.get(topics.modelUpdates()).partitions()).hasSize(1);
        }
    }

    @Test
    void pairsSentAreReadBack() {
        PipelineTopics topics = PipelineTopics.defaults().prefixed("t2-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        List<RawPair> sent = new ArrayList<>();
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            for (int i = 0; i < 25; i++) {
                RawPair p = pair("p" + i, new byte[] {(byte) i, 1, 2});
                sent.add(p);
                producer.send(p);
            }
        }
        List<RawPair> read =
                TopicReader.readAll(kafka, topics.rawPairs(), AvroSerde.of(RawPair.class));
        assertThat(read).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void theBrokerAcceptsARecordAtThePipelinesLimit() {
        assertThat(PipelineTopics.MAX_MESSAGE_BYTES).isEqualTo(PipelineTopics.MAX_MESSAGE_BYTES);
        PipelineTopics topics = PipelineTopics.defaults().prefixed("t3-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        // the image fills the record up to a little under the limit (Avro's framing and batch
        // headers take the rest)
        RawPair big = pair("big", new byte[PipelineTopics.MAX_MESSAGE_BYTES - 4096]);
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            producer.send(big);
        }
        List<RawPair> read =
                TopicReader.readAll(kafka, topics.rawPairs(), AvroSerde.of(RawPair.class));
        assertThat(read).hasSize(1);
        assertThat(read.get(0).getImage().remaining()).isEqualTo(big.getImage().remaining());
    }

    static RawPair pair(String id, byte[] image) {
        return RawPair.newBuilder()
                .setId(id)
                .setImage(ByteBuffer.wrap(image))
                .setAltText("a red circle " + id)
                .setSource("test")
                .setCrawlTime(Instant.ofEpochMilli(1000))
                .build();
    }
}
