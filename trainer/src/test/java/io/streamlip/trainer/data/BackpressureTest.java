package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackpressureTest {
    private final Backpressure marks = new Backpressure(20, 10, 4);

    @Test
    void refusesABufferSmallerThanABatch() {
        assertThatThrownBy(() -> new Backpressure(3, 2, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the shuffle buffer (3) must hold at least a batch (4)");
    }

    @Test
    void pollsWhileThereIsRoomAndPausesOnceAtCapacity() {
        assertThat(marks.hasRoom(19)).isTrue();
        assertThat(marks.hasRoom(20)).isFalse();
        assertThat(marks.pause(19, false)).isFalse();
        assertThat(marks.pause(20, false)).isTrue();
        assertThat(marks.pause(25, true)).isFalse(); // already paused
        assertThat(marks.pause(21, false)).isTrue();
        assertThat(marks.pauses()).isEqualTo(2);
    }

    @Test
    void resumesBelowTheLowWaterMarkOrWhenLessThanABatchIsLeft() {
        assertThat(marks.resume(10, true)).isFalse();
        assertThat(marks.resume(9, true)).isTrue();
        assertThat(marks.resume(0, false)).isFalse(); // nothing paused
        Backpressure lowMark = new Backpressure(20, 2, 4);
        assertThat(lowMark.resume(3, true)).isTrue(); // under a batch, though above the mark
        assertThat(lowMark.resume(4, true)).isFalse();
    }

    @Test
    void drawsFromAFullBufferOrABatchsWorthOnceCaughtUp() {
        assertThat(marks.batchReady(20, false)).isTrue();
        assertThat(marks.batchReady(19, false)).isFalse();
        assertThat(marks.batchReady(4, true)).isTrue();
        assertThat(marks.batchReady(3, true)).isFalse();
    }
}
