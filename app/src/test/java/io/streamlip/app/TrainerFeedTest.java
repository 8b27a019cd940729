package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TrainerFeedTest {
    private static final TopicPartition P0 = new TopicPartition("examples", 0);
    private static final TopicPartition P1 = new TopicPartition("examples", 1);

    @Test
    void theLagIsTheSmallerOfTheOffsetAndTheCountBounds() {
        Map<TopicPartition, Long> ends = Map.of(P0, 1010L, P1, 990L); // 2,000 with 10 markers
        // The offsets trained up to lag behind by what sits in the shuffle buffer: 400 + 300.
        Map<TopicPartition, Long> upTo = Map.of(P0, 610L, P1, 690L);
        // 1,500 trained: 2,000 - 10 - 1,500 = 490 by count, the closer bound.
        assertThat(TrainerFeed.lag(ends, upTo, 10, 1500, 0)).isEqualTo(490);
        // Nothing trained yet on a partition: all of it waits.
        assertThat(TrainerFeed.lag(ends, Map.of(P0, 1010L), 10, 5000, 0)).isZero();
        assertThat(TrainerFeed.lag(ends, Map.of(P0, 1010L), 0, 0, 0)).isEqualTo(990);
    }

    @Test
    void examplesTheTrainerPassedOverDoNotWaitForIt() {
        Map<TopicPartition, Long> ends = Map.of(P0, 1000L, P1, 1000L);
        Map<TopicPartition, Long> upTo = Map.of(P0, 600L, P1, 600L);
        // Language weights sampled out 600 of the 1,400 read: only 200 wait (count bound); the
        // count without them would say 800, the offsets 800.
        assertThat(TrainerFeed.lag(ends, upTo, 0, 1200, 600)).isEqualTo(200);
        assertThat(TrainerFeed.lag(ends, upTo, 0, 1200, 0)).isEqualTo(800);
        // Never below zero, e.g. while a replay trains examples again.
        assertThat(TrainerFeed.lag(ends, upTo, 0, 9000, 600)).isZero();
    }
}
