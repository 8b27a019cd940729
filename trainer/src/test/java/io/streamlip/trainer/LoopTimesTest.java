package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoopTimesTest {
    @Test
    void addsUpByPartWithTheBatchWaitAndTheStepFirst() {
        LoopTimes times = new LoopTimes();
        assertThat(times.snapshot())
                .containsExactly(Map.entry("batch_wait", 0.0), Map.entry("step", 0.0));
        times.add("Checkpointer", 500_000_000L);
        times.add(LoopTimes.STEP, 2_000_000_000L);
        times.add(LoopTimes.STEP, 1_000_000_000L);
        times.add("Apple", 250_000_000L);
        Map<String, Double> later = times.snapshot();
        assertThat(List.copyOf(later.keySet()))
                .containsExactly("batch_wait", "step", "Apple", "Checkpointer");
        assertThat(later.get("step")).isEqualTo(3.0);
        assertThat(later.get("Checkpointer")).isEqualTo(0.5);
    }

    @Test
    void betweenTwoSnapshotsCountsWhatEachPartGained() {
        Map<String, Double> gained =
                LoopTimes.between(
                        Map.of("step", 1.0, "batch_wait", 0.5),
                        Map.of("step", 4.0, "batch_wait", 0.5, "Checkpointer", 2.0));
        assertThat(gained)
                .containsOnly(
                        Map.entry("step", 3.0),
                        Map.entry("batch_wait", 0.0),
                        Map.entry("Checkpointer", 2.0));
    }
}
