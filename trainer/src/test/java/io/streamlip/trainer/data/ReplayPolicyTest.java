package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayPolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void withoutADurationNeverReplays() {
        ReplayPolicy never = new ReplayPolicy(null);
        for (long t = 0; t < 10; t++) {
            assertThat(never.polledNothing(t * 1000 * MS, false, true)).isFalse();
        }
        assertThat(never.passes()).isEqualTo(1);
    }

    @Test
    void replaysOnceTheTopicWasIdleForTheDurationAndCountsThePass() {
        ReplayPolicy replay = new ReplayPolicy(Duration.ofMillis(300));
        assertThat(replay.polledNothing(1000 * MS, false, true)).isFalse(); // idle from here
        assertThat(replay.polledNothing(1299 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(1300 * MS, false, true)).isTrue();
        assertThat(replay.passes()).isEqualTo(2);
        // The new pass waits its own idle time.
        assertThat(replay.polledNothing(1301 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(1600 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(1601 * MS, false, true)).isTrue();
        assertThat(replay.passes()).isEqualTo(3);
    }

    @Test
    void aCompleteInputReplaysAtTheFirstEmptyPollUntilMoreMayCome() {
        ReplayPolicy replay = new ReplayPolicy(Duration.ofSeconds(20));
        replay.inputComplete(true);
        assertThat(replay.polledNothing(0, false, false)).isFalse(); // nothing read yet
        assertThat(replay.polledNothing(1 * MS, true, true)).isFalse(); // paused by design
        assertThat(replay.polledNothing(2 * MS, false, true)).isTrue();
        assertThat(replay.passes()).isEqualTo(2);
        replay.polledRecords();
        assertThat(replay.polledNothing(3 * MS, false, true)).isTrue();
        assertThat(replay.passes()).isEqualTo(3);
        replay.inputComplete(false); // curation busy again: wait the idle time
        assertThat(replay.polledNothing(4 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(5000 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(20004 * MS, false, true)).isTrue();
        // Never without a duration: the trainer does not replay at all then.
        ReplayPolicy never = new ReplayPolicy(null);
        never.inputComplete(true);
        assertThat(never.polledNothing(0, false, true)).isFalse();
    }

    @Test
    void aRecordRestartsTheIdleTime() {
        ReplayPolicy replay = new ReplayPolicy(Duration.ofMillis(300));
        replay.polledNothing(0, false, true);
        replay.polledRecords();
        assertThat(replay.polledNothing(400 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(699 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(700 * MS, false, true)).isTrue();
    }

    @Test
    void aPausedConsumerOrOneThatReadNothingIsNotIdle() {
        ReplayPolicy replay = new ReplayPolicy(Duration.ZERO);
        assertThat(replay.polledNothing(0, true, true)).isFalse();
        assertThat(replay.polledNothing(MS, false, false)).isFalse();
        // Neither started the idle time: the next qualifying poll does.
        assertThat(replay.polledNothing(2 * MS, false, true)).isFalse();
        assertThat(replay.polledNothing(2 * MS, false, true)).isTrue();
        assertThat(replay.passes()).isEqualTo(2);
    }
}
