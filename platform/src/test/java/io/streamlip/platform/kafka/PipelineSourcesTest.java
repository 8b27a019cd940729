package io.streamlip.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineSourcesTest {

    @Test
    void sourcesFetchInLargerBitesUnlessThePassThroughPropertiesSayOtherwise() {
        assertThat(PipelineSources.fetchTuning(KafkaClients.of("k:9092")))
                .containsEntry("fetch.min.bytes", Integer.toString(PipelineSources.FETCH_MIN_BYTES))
                .containsEntry(
                        "fetch.max.wait.ms",
                        Long.toString(PipelineSources.FETCH_MAX_WAIT.toMillis()));
        // A cluster's own fetch settings stay: the tuning leaves them out.
        assertThat(
                        PipelineSources.fetchTuning(
                                new KafkaClients("k:9092", Map.of("fetch.min.bytes", "1"))))
                .doesNotContainKey("fetch.min.bytes")
                .containsKey("fetch.max.wait.ms");
    }
}
