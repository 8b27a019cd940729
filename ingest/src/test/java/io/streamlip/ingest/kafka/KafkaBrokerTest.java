package io.streamlip.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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
        PipelineTopics topics = PipelineTopics.defaults().withPrefix("t1-").withPartitions(3);
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
        PipelineTopics topics = PipelineTopics.defaults().withPrefix("t2-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        List<RawPair> sent = new ArrayList<>();
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            new SyntheticPairs(16)
                    .pairs(25, 7)
                    .forEachRemaining(
                            p -> {
                                sent.add(p);
                                producer.send(p);
                            });
        }
        List<RawPair> read =
                TopicReader.readAll(kafka, topics.rawPairs(), AvroSerde.of(RawPair.class));
        assertThat(read).containsExactlyInAnyOrderElementsOf(sent);
    }
}
