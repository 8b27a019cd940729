package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommitWindowTest {
    private static final long INTERVAL = 5_000;

    @Test
    void anInactiveGroupEntersTheWindowOnlyWhenItsOffsetMoves() {
        CommitWindow w = new CommitWindow(4);
        w.observe(0, 10, 5, false);
        w.observe(5_000, 10, 6, false);
        w.observe(10_000, 12, 4, false);
        assertThat(w.commits()).extracting(OffsetCommit::offset).containsExactly(10L, 12L);
        assertThat(w.complete()).isEqualTo(0.5);
    }

    @Test
    void anActiveGroupCommitsEveryObservationAndStallsWhenItDoesNotMove() {
        CommitWindow w = new CommitWindow(3);
        for (int i = 0; i < 5; i++) {
            w.observe(i * INTERVAL, 10, 5 + i, true);
        }
        assertThat(w.commits()).hasSize(3);
        assertThat(w.complete()).isEqualTo(1.0);
        assertThat(w.status(9, 4 * INTERVAL + 1, INTERVAL)).isEqualTo(LagStatus.STALL);
    }

    @Test
    void anInactiveGroupThatNeverMovesIsStopAfterAWholeWindow() {
        CommitWindow w = new CommitWindow(3);
        w.observe(0, 10, 5, false);
        w.observe(INTERVAL, 10, 5, false);
        assertThat(w.status(5, INTERVAL, INTERVAL)).isEqualTo(LagStatus.OK);
        w.observe(2 * INTERVAL, 10, 5, false);
        assertThat(w.status(5, 2 * INTERVAL, INTERVAL)).isEqualTo(LagStatus.STOP);
        // caught up: never a problem
        assertThat(w.status(0, 2 * INTERVAL, INTERVAL)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aFlinkLikeGroupThatStopsCommittingIsStop() {
        CommitWindow w = new CommitWindow(10);
        // commits every 10 s (checkpoints), observed every 5 s, falling behind slowly
        long t = 0;
        for (int i = 0; i < 8; i++, t += 10_000) {
            w.observe(t, 100 * i, 50, false);
            w.observe(t + 5_000, 100 * i, 60, false);
        }
        assertThat(w.status(60, t, INTERVAL)).isEqualTo(LagStatus.WARN);
        long lastCommit = t - 10_000;
        // the window spans 70 s; 71 s without a commit means stopped
        assertThat(w.status(60, lastCommit + 71_000, INTERVAL)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void rewindIsErr() {
        CommitWindow w = new CommitWindow(5);
        w.observe(0, 100, 10, false);
        w.observe(INTERVAL, 120, 12, false);
        w.observe(2 * INTERVAL, 0, 130, false);
        assertThat(w.status(130, 2 * INTERVAL + 1, INTERVAL)).isEqualTo(LagStatus.ERR);
    }

    @Test
    void rejectsAWindowTooSmallToHaveASpan() {
        assertThatThrownBy(() -> new CommitWindow(1)).hasMessageContaining("at least 2");
    }
}
