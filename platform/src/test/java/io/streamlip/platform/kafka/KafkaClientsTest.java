package io.streamlip.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void passThroughPropertiesWinOverTheClientDefaults() {
        KafkaClients kafka =
                new KafkaClients(
                        "k:9092",
                        Map.of(
                                "security.protocol", "SSL",
                                "linger.ms", "5",
                                "max.partition.fetch.bytes", "1024"));

        assertThat(kafka.producer())
                .containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("linger.ms", "5")
                .containsEntry(
                        "max.request.size", Integer.toString(PipelineTopics.MAX_MESSAGE_BYTES));
        assertThat(kafka.consumer("g"))
                .containsEntry("group.id", "g")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("max.partition.fetch.bytes", "1024");
    }
}
