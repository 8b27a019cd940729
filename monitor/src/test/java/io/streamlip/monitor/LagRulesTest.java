package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagRulesTest {
    private static final long T0 = 1_000_000L;

    /** Commits every 10 s from T0, with the given offsets and lags. */
    private static List<OffsetCommit> window(long[] offsets, long[] lags) {
        List<OffsetCommit> out = new ArrayList<>();
        for (int i = 0; i < offsets.length; i++) {
            out.add(new OffsetCommit(T0 + i * 10_000L, offsets[i], lags[i]));
        }
        return out;
    }

    private static long lastTime(List<OffsetCommit> w) {
        return w.get(w.size() - 1).timeMs();
    }

    @Test
    void noLagNowIsOkWhateverTheWindowSays() {
        // stalled and stopped-looking window, but the consumer is caught up now
        List<OffsetCommit> w = window(new long[] {5, 5, 5}, new long[] {3, 4, 5});
        assertThat(LagRules.evaluate(w, 0, lastTime(w) + 1_000_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void emptyWindowIsOk() {
        assertThat(LagRules.evaluate(List.of(), 10, T0)).isEqualTo(LagStatus.OK);
    }

    @Test
    void movingConsumerWithShrinkingLagIsOk() {
        List<OffsetCommit> w = window(new long[] {10, 20, 30, 40}, new long[] {50, 45, 40, 30});
        assertThat(LagRules.evaluate(w, 30, lastTime(w) + 5_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void lagThatWasZeroInTheWindowIsOkEvenIfGrowingNow() {
        List<OffsetCommit> w = window(new long[] {10, 20, 30, 40}, new long[] {0, 5, 10, 20});
        assertThat(LagRules.evaluate(w, 20, lastTime(w) + 5_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void noCommitForLongerThanTheWindowSpansIsStop() {
        // window spans 30 s; the last commit is 31 s old
        List<OffsetCommit> w = window(new long[] {10, 20, 30, 40}, new long[] {50, 45, 40, 30});
        assertThat(LagRules.evaluate(w, 30, lastTime(w) + 31_000)).isEqualTo(LagStatus.STOP);
        // exactly the span is not yet stopped
        assertThat(LagRules.evaluate(w, 30, lastTime(w) + 30_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void stopIsJudgedBeforeTheLagWasZeroRule() {
        List<OffsetCommit> w = window(new long[] {10, 20, 30}, new long[] {0, 0, 5});
        assertThat(LagRules.evaluate(w, 5, lastTime(w) + 60_000)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void offsetGoingBackwardsIsErr() {
        List<OffsetCommit> w = window(new long[] {10, 20, 5, 15}, new long[] {40, 35, 50, 45});
        assertThat(LagRules.evaluate(w, 45, lastTime(w) + 5_000)).isEqualTo(LagStatus.ERR);
    }

    @Test
    void rewindIsForgivenWhenLagWasZeroInTheWindow() {
        List<OffsetCommit> w = window(new long[] {10, 20, 5, 15}, new long[] {0, 0, 50, 45});
        assertThat(LagRules.evaluate(w, 45, lastTime(w) + 5_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void committingTheSameOffsetWithLagIsStall() {
        List<OffsetCommit> w = window(new long[] {7, 7, 7, 7}, new long[] {3, 9, 12, 20});
        assertThat(LagRules.evaluate(w, 20, lastTime(w) + 5_000)).isEqualTo(LagStatus.STALL);
    }

    @Test
    void stallIsWorseThanWarnAndCheckedFirst() {
        // the same offset with constant lag: lag also "never decreased", but STALL wins
        List<OffsetCommit> w = window(new long[] {7, 7, 7}, new long[] {4, 4, 4});
        assertThat(LagRules.evaluate(w, 4, lastTime(w) + 5_000)).isEqualTo(LagStatus.STALL);
    }

    @Test
    void movingButLagNeverDecreasingIsWarn() {
        List<OffsetCommit> w = window(new long[] {10, 20, 30, 40}, new long[] {5, 8, 8, 12});
        assertThat(LagRules.evaluate(w, 12, lastTime(w) + 5_000)).isEqualTo(LagStatus.WARN);
    }

    @Test
    void oneDecreaseInTheWindowIsEnoughForOk() {
        List<OffsetCommit> w = window(new long[] {10, 20, 30, 40}, new long[] {5, 8, 7, 12});
        assertThat(LagRules.evaluate(w, 12, lastTime(w) + 5_000)).isEqualTo(LagStatus.OK);
    }

    @Test
    void groupStatusFollowsBurrow() {
        assertThat(LagStatus.OK.asGroupStatus()).isEqualTo(LagStatus.OK);
        assertThat(LagStatus.WARN.asGroupStatus()).isEqualTo(LagStatus.WARN);
        assertThat(LagStatus.STALL.asGroupStatus()).isEqualTo(LagStatus.ERR);
        assertThat(LagStatus.STOP.asGroupStatus()).isEqualTo(LagStatus.ERR);
        assertThat(LagStatus.ERR.asGroupStatus()).isEqualTo(LagStatus.ERR);
        assertThat(LagStatus.WARN.worst(LagStatus.STOP)).isEqualTo(LagStatus.STOP);
        assertThat(LagStatus.STALL.worst(LagStatus.OK)).isEqualTo(LagStatus.STALL);
    }
}
