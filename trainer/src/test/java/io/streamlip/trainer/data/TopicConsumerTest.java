package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopicConsumerTest {
    private static final TopicPartition P0 = new TopicPartition(MockTopic.NAME, 0);
    private static final TopicPartition P1 = new TopicPartition(MockTopic.NAME, 1);

    @Test
    void assignsEveryPartitionOfTheTopic() {
        MockTopic topic = new MockTopic(2);
        try (TopicConsumer consumer = topic.open(3)) {
            assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
            assertThat(topic.consumer.subscription()).isEmpty(); // assigned, not subscribed
            assertThat(consumer.maxPollRecords()).isEqualTo(3);
        }
    }

    @Test
    void closesTheConsumerAndThrowsWhenTheTopicDoesNotAppear() {
        MockConsumer<byte[], byte[]> empty = new MockConsumer<>("earliest");
        assertThatThrownBy(
                        () ->
                                new TopicConsumer(
                                        empty, "absent", "group", 10, Duration.ofMillis(100)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic absent does not exist");
        assertThat(empty.closed()).isTrue();
    }

    @Test
    void pausesAndResumesEveryPartitionAtOnce() {
        MockTopic topic = new MockTopic(2);
        try (TopicConsumer consumer = topic.open(10)) {
            assertThat(consumer.isPaused()).isFalse();
            consumer.pauseAll();
            assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
            topic.addExamples(0, 4, List.of("en"));
            assertThat(consumer.poll(Duration.ZERO).isEmpty()).isTrue();
            consumer.resumeAll();
            assertThat(consumer.isPaused()).isFalse();
            assertThat(consumer.poll(Duration.ZERO).count()).isEqualTo(4);
        }
    }

    @Test
    void rewindsToTheEarliestRecords() {
        MockTopic topic = new MockTopic(2);
        topic.consumer.updateBeginningOffsets(Map.of(P0, 5L, P1, 0L));
        try (TopicConsumer consumer = topic.open(10)) {
            consumer.seek(P0, 9);
            assertThat(consumer.rewind()).isEqualTo(Map.of(P0, 5L, P1, 0L));
            assertThat(topic.consumer.position(P0)).isEqualTo(5);
        }
    }

    @Test
    void commitsOffsetsToTheGroup() {
        MockTopic topic = new MockTopic(2);
        try (TopicConsumer consumer = topic.open(10)) {
            consumer.commit(Map.of(P0, 3L, P1, 4L));
            assertThat(topic.consumer.committed(Set.of(P0, P1)))
                    .isEqualTo(Map.of(P0, new OffsetAndMetadata(3), P1, new OffsetAndMetadata(4)));
        }
    }

    @Test
    void aFailedCommitIsOnlyLogged() {
        MockConsumer<byte[], byte[]> failing =
                new MockConsumer<>("earliest") {
                    @Override
                    public void commitSync(
                            Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                        throw new KafkaException("coordinator gone");
                    }
                };
        try (TopicConsumer consumer = new MockTopic(1, failing).open(10)) {
            consumer.commit(Map.of(P0, 5L)); // the checkpoint, not the group, is the truth
        }
    }
}
