package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.trainer.LatencyStats;
import io.streamlip.trainer.StopCondition;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.limoe.Modality;
import io.streamlip.trainer.limoe.RoutingStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The training figures of {@code summary.json} and {@code streamlip train} ({@link Json#training}):
 * a LIMoE run's routing section, absent for the other families.
 */
class TrainingJsonTest {

    private static TrainingSummary summary(RoutingStats routing) {
        return new TrainingSummary(
                12,
                12,
                96,
                96,
                4.0,
                3.0,
                10.0,
                0,
                null,
                Duration.ofSeconds(10),
                StopCondition.Reason.STEPS,
                null,
                LatencyStats.Percentiles.NONE,
                LatencyStats.Percentiles.NONE,
                0,
                routing);
    }

    @Test
    void aLimoeRunReportsItsRoutingPerLayerAndModality() throws Exception {
        RoutingStats routing =
                new RoutingStats(
                        List.of(
                                new RoutingStats.BlockRouting(
                                        1,
                                        Map.of(
                                                Modality.IMAGE,
                                                new RoutingStats.ModalityRouting(
                                                        16, 16, 4, new int[] {9, 3}, 0.5, 0.6),
                                                Modality.TEXT,
                                                new RoutingStats.ModalityRouting(
                                                        8, 8, 0, new int[] {0, 8}, 0.2, 0.0))),
                                new RoutingStats.BlockRouting(
                                        3,
                                        Map.of(
                                                Modality.TEXT,
                                                new RoutingStats.ModalityRouting(
                                                        0, 0, 0, new int[] {0, 0}, 0.0, 0.0)))),
                        0.125);
        // Written and read back as summary.json is: valid JSON, no NaN.
        JsonNode r =
                new ObjectMapper()
                        .readTree(Json.pretty(Json.training(summary(routing))))
                        .path("routing");
        assertThat(r.path("from").asText()).isEqualTo("last_step");
        assertThat(r.path("aux_loss").asDouble()).isEqualTo(0.125);
        assertThat(r.path("layers")).hasSize(2);
        JsonNode first = r.path("layers").get(0);
        assertThat(first.path("block").asInt()).isEqualTo(1);
        JsonNode image = first.path("image");
        assertThat(image.path("tokens").asInt()).isEqualTo(16);
        assertThat(image.path("dropped_fraction").asDouble()).isEqualTo(0.25);
        assertThat(image.path("local_entropy").asDouble()).isEqualTo(0.5);
        assertThat(image.path("global_entropy").asDouble()).isEqualTo(0.6);
        assertThat(image.path("expert_utilisation").get(0).asDouble()).isEqualTo(9 / 16.0);
        assertThat(image.path("expert_utilisation").get(1).asDouble()).isEqualTo(3 / 16.0);
        // Kept plus dropped is every assignment.
        assertThat(
                        image.path("expert_utilisation").get(0).asDouble()
                                + image.path("expert_utilisation").get(1).asDouble()
                                + image.path("dropped_fraction").asDouble())
                .isCloseTo(1.0, within(1e-12));
        assertThat(first.path("text").path("expert_utilisation").get(1).asDouble()).isEqualTo(1.0);
        // A modality with no tokens routed in a block: its shares are unknown, not NaN.
        JsonNode empty = r.path("layers").get(1).path("text");
        assertThat(empty.path("dropped_fraction").isNull()).isTrue();
        assertThat(empty.path("expert_utilisation").get(0).isNull()).isTrue();
        assertThat(r.path("layers").get(1).has("image")).isFalse();
    }

    @Test
    void otherFamiliesHaveNoRoutingSection() {
        assertThat(Json.training(summary(null)).has("routing")).isFalse();
        assertThat(Json.training(summary(null)).path("steps").asLong()).isEqualTo(12);
    }
}
