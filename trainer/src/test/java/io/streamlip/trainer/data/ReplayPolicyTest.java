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
