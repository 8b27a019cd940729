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

    @Test
    void keepsTheLatestStepsDurationsAndAddsThemToTheStep() {
        LoopTimes times = new LoopTimes();
        times.addStep(2_000_000L);
        long before = times.steps();
        times.addStep(3_000_000L);
        times.addStep(5_000_000L);
        assertThat(times.steps()).isEqualTo(3);
        assertThat(times.stepMillisSince(before)).containsExactly(3.0, 5.0);
        assertThat(times.stepMillisSince(0)).containsExactly(2.0, 3.0, 5.0);
        assertThat(times.stepMillisSince(3)).isEmpty();
        assertThat(times.snapshot().get("step")).isEqualTo(0.01);
    }

    @Test
    void forgetsStepsBeyondTheRecentOnes() {
        LoopTimes times = new LoopTimes();
        for (int i = 0; i < LoopTimes.RECENT_STEPS + 3; i++) {
            times.addStep(i * 1_000_000L);
        }
        double[] kept = times.stepMillisSince(0);
        assertThat(kept).hasSize(LoopTimes.RECENT_STEPS);
        assertThat(kept[0]).isEqualTo(3.0);
        assertThat(kept[kept.length - 1]).isEqualTo(LoopTimes.RECENT_STEPS + 2.0);
    }
}
