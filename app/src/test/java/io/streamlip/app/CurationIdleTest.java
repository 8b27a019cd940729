package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CurationIdleTest {
    private static final long S = 1_000_000_000L;

    @Test
    void idleOnceTheImportEndedEveryPairCameOutAndTheTopicsStayedQuiet() {
        CurationIdle idle = new CurationIdle(Duration.ofSeconds(6));
        assertThat(idle.look(0, false, 300, 100, 0)).isEmpty();
        // Quiet but still importing: busy (the jobs may be behind the import).
        assertThat(idle.look(10 * S, false, 300, 100, 1000)).isEmpty();
        // Imported and quiet, but pairs are still in the jobs (a slow exactly-once commit).
        assertThat(idle.look(11 * S, true, 300, 200, 1100)).isEmpty(); // grew: counts from here
        assertThat(idle.look(30 * S, true, 300, 200, 3000)).isEmpty();
        assertThat(idle.look(31 * S, true, 300, 305, 3100)).isEmpty(); // all out (and markers)
        assertThat(idle.look(36 * S, true, 300, 305, 3600)).isEmpty();
        assertThat(idle.idle()).isFalse();
        assertThat(idle.look(37 * S, true, 300, 305, 3700))
                .contains(CurationIdle.Change.BECAME_IDLE);
        assertThat(idle.idle()).isTrue();
        assertThat(idle.look(67 * S, true, 300, 305, 9700)).isEmpty();

        CurationIdle.Figure f = idle.figure(Duration.ofSeconds(20)).orElseThrow();
        assertThat(f.afterTrainingStartSeconds()).isEqualTo(37.0);
        assertThat(f.seconds()).isEqualTo(30.0);
        assertThat(f.examples()).isEqualTo(6000);
        assertThat(f.examplesPerSecond()).isEqualTo(200.0);
        assertThat(idle.figure(Duration.ofSeconds(31))).isEmpty(); // too short to report
    }

    @Test
    void busyAgainWhenExamplesArriveAndTheFigureCountsTheLastIdleSpellOnly() {
        CurationIdle idle = new CurationIdle(Duration.ofSeconds(2));
        idle.look(0, true, 10, 10, 0);
        assertThat(idle.look(2 * S, true, 10, 10, 100)).contains(CurationIdle.Change.BECAME_IDLE);
        assertThat(idle.look(5 * S, true, 11, 11, 400)).contains(CurationIdle.Change.BECAME_BUSY);
        assertThat(idle.figure(Duration.ofSeconds(1))).isEmpty();
        assertThat(idle.look(7 * S, true, 11, 11, 600)).contains(CurationIdle.Change.BECAME_IDLE);
        assertThat(idle.look(17 * S, true, 11, 11, 2600)).isEmpty();
        CurationIdle.Figure f = idle.figure(Duration.ofSeconds(5)).orElseThrow();
        assertThat(f.afterTrainingStartSeconds()).isEqualTo(7.0);
        assertThat(f.examples()).isEqualTo(2000);
        assertThat(f.examplesPerSecond()).isEqualTo(200.0);
    }

    @Test
    void busyAgainAtOnceWhenANewRawPairArrivesBeforeAnyOutput() {
        CurationIdle idle = new CurationIdle(Duration.ofSeconds(2));
        idle.look(0, true, 10, 10, 0);
        assertThat(idle.look(2 * S, true, 10, 10, 100)).contains(CurationIdle.Change.BECAME_IDLE);
        assertThat(idle.look(3 * S, true, 12, 10, 150)).contains(CurationIdle.Change.BECAME_BUSY);
        assertThat(idle.idle()).isFalse();
        // Quiet for `quiet` counts from the new pair, and only once it came out.
        assertThat(idle.look(5 * S, true, 12, 10, 250)).isEmpty();
        assertThat(idle.look(6 * S, true, 12, 12, 300)).isEmpty();
        assertThat(idle.look(8 * S, true, 12, 12, 400)).contains(CurationIdle.Change.BECAME_IDLE);
    }

    @Test
    void theFigureSaysWhereTheLoopSpentTheIdleTime() {
        CurationIdle idle = new CurationIdle(Duration.ofSeconds(2));
        idle.look(0, true, 10, 10, 0, Map.of("batch_wait", 1.0, "step", 5.0));
        assertThat(idle.look(2 * S, true, 10, 10, 100, Map.of("batch_wait", 1.5, "step", 6.0)))
                .contains(CurationIdle.Change.BECAME_IDLE);
        idle.look(
                12 * S,
                true,
                10,
                10,
                1100,
                Map.of("batch_wait", 4.0, "step", 12.5, "Checkpointer", 0.5));
        CurationIdle.Figure f = idle.figure(Duration.ofSeconds(5)).orElseThrow();
        assertThat(f.loopSeconds())
                .containsOnly(
                        Map.entry("batch_wait", 2.5),
                        Map.entry("step", 6.5),
                        Map.entry("Checkpointer", 0.5));
    }

    @Test
    void neverIdleWhileTheImportRuns() {
        CurationIdle idle = new CurationIdle(Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            assertThat(idle.look(i * S, false, 5, 5, i * 10L)).isEqualTo(Optional.empty());
        }
        assertThat(idle.figure(Duration.ofSeconds(1))).isEmpty();
        assertThatThrownBy(() -> new CurationIdle(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
