package io.streamlip.platform.kafka;

import io.streamlip.broker.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process Kafka broker for a test class: started before its first test, closed after its
 * last. Register it as {@code @RegisterExtension static final TemporaryKafka KAFKA = new
 * TemporaryKafka();}; each test takes its own topics with {@link #createTopics(String)}.
 */
public final class TemporaryKafka implements BeforeAllCallback, AfterAllCallback {
    private KafkaBroker broker;
    private KafkaClients clients;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = KafkaBroker.startTemporary();
        clients = KafkaClients.of(broker.bootstrapServers());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** Clients of the broker. */
    public KafkaClients clients() {
        return clients;
    }

    /** Creates the pipeline's topics under {@code prefix} (so tests of one class do not meet). */
    public PipelineTopics createTopics(String prefix) {
        return createTopics(PipelineTopics.defaults().prefixed(prefix));
    }

    /** Creates {@code topics} (e.g. with more partitions) and returns them. */
    public PipelineTopics createTopics(PipelineTopics topics) {
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        return topics;
    }
}
