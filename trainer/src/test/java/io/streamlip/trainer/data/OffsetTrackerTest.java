package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.trainer.data.OffsetTracker.Seen;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final TopicPartition OTHER = new TopicPartition("t", 1);

    private final OffsetTracker offsets = new OffsetTracker();

    @Test
    void thePositionWaitsForTheOldestBufferedRecord() {
        assertThat(offsets.hasPosition()).isFalse();
        assertThat(offsets.position()).isEqualTo(StreamPosition.NONE);
        for (long o = 0; o < 5; o++) {
            assertThat(offsets.read(TP, o)).isEqualTo(Seen.NEW);
            offsets.buffered(TP, o, 100 + o);
        }
        assertThat(offsets.hasPosition()).isTrue();
        assertThat(only(offsets.position()))
                .isEqualTo(partition(0, 5, List.of(0L, 1L, 2L, 3L, 4L)));

        offsets.trained(TP, 2);
        offsets.trained(TP, 0);
        assertThat(only(offsets.position())).isEqualTo(partition(1, 5, List.of(1L, 3L, 4L)));

        offsets.trained(TP, 1);
        offsets.trained(TP, 3);
        offsets.trained(TP, 4);
        assertThat(only(offsets.position())).isEqualTo(partition(5, 5, List.of()));
    }

    @Test
    void aRecordPassedOverDoesNotHoldThePositionBack() {
        for (long o = 0; o < 3; o++) {
            offsets.read(TP, o);
        }
        offsets.buffered(TP, 0, 0); // 1 refused or sampled out, 2 still in the buffer
        offsets.buffered(TP, 2, 0);
        offsets.trained(TP, 0);
        assertThat(only(offsets.position())).isEqualTo(partition(2, 3, List.of(2L)));
    }

    @Test
    void afterASeekReReadRecordsAreTrainedOnlyIfTheyWerePending() {
        offsets.read(TP, 40); // read before the seek: forgotten by it
        offsets.buffered(TP, 40, 0);
        StreamPosition checkpoint =
                new StreamPosition(
                        List.of(
                                partition(2, 6, List.of(2L, 4L)),
                                new StreamPosition.Partition("t", 7, 1, 1, List.of())));

        Map<TopicPartition, Long> seekTo = offsets.seek(checkpoint, Set.of(TP, OTHER));

        // Partition 7 is not assigned: neither sought nor in the position.
        assertThat(seekTo).isEqualTo(Map.of(TP, 2L));
        assertThat(offsets.position().partitions()).containsExactly(checkpoint.partitions().get(0));
        assertThat(offsets.read(TP, 2)).isEqualTo(Seen.PENDING);
        offsets.buffered(TP, 2, 0);
        // Offset 4, pending before the restart, still holds the position once 2 is trained.
        assertThat(only(offsets.position())).isEqualTo(partition(2, 6, List.of(2L, 4L)));
        offsets.trained(TP, 2);
        assertThat(only(offsets.position())).isEqualTo(partition(4, 6, List.of(4L)));

        assertThat(offsets.read(TP, 3)).isEqualTo(Seen.TRAINED);
        assertThat(offsets.read(TP, 4)).isEqualTo(Seen.PENDING);
        assertThat(offsets.read(TP, 5)).isEqualTo(Seen.TRAINED);
        assertThat(offsets.read(TP, 6)).isEqualTo(Seen.NEW);
        assertThat(offsets.read(TP, 4)).isEqualTo(Seen.NEW); // the resume is over
        assertThat(offsets.firstOffsetsRead()).isEqualTo(Map.of(TP, 2L));
    }

    @Test
    void aSoughtPositionAloneIsAPosition() {
        offsets.seek(StreamPosition.of(Map.of(TP, 9L)), Set.of(TP));
        assertThat(offsets.hasPosition()).isTrue();
        assertThat(only(offsets.position())).isEqualTo(partition(9, 9, List.of()));
        assertThat(offsets.firstOffsetsRead()).isEmpty();
    }

    @Test
    void onlyRecordsReadForTheFirstTimeCarryTheirProduceTime() {
        offsets.read(TP, 0);
        assertThat(offsets.buffered(TP, 0, 1000)).isEqualTo(1000);
        offsets.read(TP, 1);
        assertThat(offsets.buffered(TP, 1, 1001)).isEqualTo(1001);

        offsets.rewound(Map.of(TP, 0L));
        offsets.read(TP, 0);
        assertThat(offsets.buffered(TP, 0, 1000)).isEqualTo(-1);
        offsets.read(TP, 1);
        assertThat(offsets.buffered(TP, 1, 1001)).isEqualTo(-1);
        offsets.read(TP, 2); // new since the last pass
        assertThat(offsets.buffered(TP, 2, 1002)).isEqualTo(1002);
    }

    @Test
    void aRewindStopsThePositionWaitingForTheOldPass() {
        for (long o = 0; o < 4; o++) {
            offsets.read(TP, o);
            offsets.buffered(TP, o, 0);
        }
        offsets.rewound(Map.of(TP, 0L));
        assertThat(only(offsets.position())).isEqualTo(partition(0, 0, List.of()));
        offsets.read(TP, 0);
        offsets.buffered(TP, 0, 0);
        offsets.read(TP, 1);
        offsets.buffered(TP, 1, 0);
        offsets.trained(TP, 0);
        assertThat(only(offsets.position())).isEqualTo(partition(1, 2, List.of(1L)));
    }

    private static StreamPosition.Partition only(StreamPosition position) {
        assertThat(position.partitions()).hasSize(1);
        return position.partitions().get(0);
    }

    private static StreamPosition.Partition partition(
            long trainedUpTo, long readUpTo, List<Long> pending) {
        return new StreamPosition.Partition("t", 0, trainedUpTo, readUpTo, pending);
    }
}
