package io.streamlip.app;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Option;

/**
 * Where the pipeline's Kafka is, for the commands that work against a running cluster: bootstrap
 * servers, client properties passed through to every client (security: SASL/SSL settings), and an
 * optional topic prefix.
 */
final class KafkaOptions {

    @Option(
            names = "--bootstrap",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property for every client, e.g."
                            + " security.protocol=SASL_SSL (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(
            names = "--topic-prefix",
            paramLabel = "PREFIX",
            defaultValue = "",
            description = "Prefix of every pipeline topic name (default: none).")
    String topicPrefix;

    KafkaClients clients() {
        return new KafkaClients(bootstrap, properties);
    }

    PipelineTopics topics() {
        return PipelineTopics.defaults().prefixed(topicPrefix);
    }

    /** Creates the pipeline topics that do not exist yet; returns them. */
    PipelineTopics createTopics() {
        PipelineTopics topics = topics();
        try (Admin admin = Admin.create(clients().common())) {
            topics.create(admin);
        }
        return topics;
    }
}
