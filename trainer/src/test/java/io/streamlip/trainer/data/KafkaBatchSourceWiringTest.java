package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming reader's wiring without a broker: its parts on Kafka's {@code MockConsumer}, each
 * {@code next(Duration.ZERO)} one poll. KafkaBatchSourceTest does the same on a real broker.
 */
class KafkaBatchSourceWiringTest {
    private static final int BATCH = 4;
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig MODEL = ModelConfig.tiny(TOKENIZER.vocabSize());
    private static final TopicPartition P0 = new TopicPartition(MockTopic.NAME, 0);
    private static final TopicPartition P1 = new TopicPartition(MockTopic.NAME, 1);

    @TempDir Path temp;

    @Test
    void shufflesSpillsPausesAndTrainsEveryRecordOnce() {
        MockTopic topic = new MockTopic(2);
        ShuffleConfig shuffle =
                ShuffleConfig.of(20, 8).toBuilder().resumeBelow(10).spillDir(temp).build();
        List<Integer> order = new ArrayList<>();
        try (KafkaBatchSource source = source(topic, shuffle, null, 1)) {
            topic.addExamples(0, 100, List.of("en"));
            List<TrainingBatch> batches = drain(source, 200);
            for (TrainingBatch b : batches) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(order::add);
            }
            assertThat(source.pauses()).isGreaterThanOrEqualTo(2);
            assertThat(source.spilled()).isPositive();
            assertThat(source.buffered()).isZero();
            assertThat(source.position()).isEqualTo(StreamPosition.of(Map.of(P0, 50L, P1, 50L)));
            // Each batch carries its records' timestamps (first pass: all count for freshness).
            for (TrainingBatch b : batches) {
                int[] numbers = StreamExamples.numbers(b);
                for (int i = 0; i < numbers.length; i++) {
                    int n = numbers[i];
                    assertThat(b.produceTimes()[i]).isEqualTo(1000L * (n % 2 + 1) + n / 2);
                }
            }
        }
        assertThat(order).containsExactlyInAnyOrderElementsOf(range(0, 100));
        assertThat(order).isNotEqualTo(range(0, 100));
    }

    @Test
    void aBufferWhollyOnTheHeapNeverSpillsWhatAPollBringsBeyondIt() {
        // The demo's buffer: one batch, all on the heap. A short poll leaves less than a batch,
        // and the next full one (from Kafka, then from the replay cache) overflows the capacity.
        MockTopic topic = new MockTopic(1);
        ShuffleConfig oneBatch = ShuffleConfig.of(BATCH, BATCH).toBuilder().spillDir(temp).build();
        List<Integer> order = new ArrayList<>();
        try (KafkaBatchSource source = source(topic, oneBatch, Duration.ZERO, 1)) {
            topic.addExamples(0, BATCH - 1, List.of("en"));
            assertThat(source.next(Duration.ZERO)).isEmpty();
            topic.addExamples(BATCH - 1, 10 * BATCH + 1, List.of("en"));
            for (TrainingBatch b : drain(source, 2)) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(order::add);
            }
            assertThat(source.buffered()).isEqualTo(1);
            assertThat(source.passes()).isEqualTo(2); // idle: replays from memory
            for (int i = 0; i < 5; i++) {
                Arrays.stream(StreamExamples.numbers(next(source))).forEach(order::add);
            }
            assertThat(source.replayCacheRecords()).isEqualTo(10 * BATCH + 1);
            assertThat(source.spilled()).isZero();
        }
        assertThat(order).hasSize(15 * BATCH).containsAll(range(0, 10 * BATCH + 1));
    }

    @Test
    void theSameSeedGivesTheSameBatches() {
        assertThat(numbers(7)).isEqualTo(numbers(7)).isNotEqualTo(numbers(8));
    }

    @Test
    void refusedAndSampledOutRecordsAreCountedAndDoNotHoldThePositionBack() {
        MockTopic topic = new MockTopic(1);
        ShuffleConfig shuffle =
                ShuffleConfig.of(8, 8).toBuilder()
                        .languageWeights(Map.of("de", 0.25, "en", 1.0))
                        .defaultWeight(1.0)
                        .build();
        try (KafkaBatchSource source = source(topic, shuffle, null, 3)) {
            topic.addExamples(0, 60, List.of("en", "de"));
            topic.add(0, 60, new byte[] {1, 2, 3});
            topic.add(0, 61, new byte[0]);
            int trained = drain(source, 100).size() * BATCH;
            assertThat(source.skipped()).isEqualTo(2);
            assertThat(source.skippedByReason())
                    .isEqualTo(Map.of(ExampleDecoder.Refusal.NOT_AN_EXAMPLE, 2L));
            assertThat(source.sampledOut()).isBetween(10L, 30L); // about 3/4 of 30 de
            assertThat(trained + source.buffered() + source.sampledOut()).isEqualTo(60);
            StreamPosition.Partition p = source.position().partitions().get(0);
            assertThat(p.readUpTo()).isEqualTo(62);
            assertThat(p.pending()).hasSize((int) source.buffered());
        }
    }

    @Test
    void aSourceResumedAtAPositionTrainsEveryRecordExactlyOnce() {
        ShuffleConfig shuffle = ShuffleConfig.of(32, 16).toBuilder().spillDir(temp).build();
        MockTopic before = new MockTopic(2);
        Set<Integer> firstRun = new HashSet<>();
        StreamPosition position;
        try (KafkaBatchSource source = source(before, shuffle, null, 3)) {
            before.addExamples(0, 120, List.of("en"));
            for (int i = 0; i < 10; i++) {
                for (int n : StreamExamples.numbers(next(source))) {
                    assertThat(firstRun.add(n)).isTrue();
                }
            }
            position = source.position();
        }
        assertThat(position.pendingCount()).isPositive();

        MockTopic after = new MockTopic(2);
        List<Integer> secondRun = new ArrayList<>();
        try (KafkaBatchSource source = source(after, shuffle, null, 4)) {
            source.seek(position);
            after.addExamples(0, 120, List.of("en")); // offsets below the position go unread
            for (TrainingBatch b : drain(source, 200)) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(secondRun::add);
            }
            assertThat(source.firstOffsetsRead()).isEqualTo(position.trainedUpTo());
        }
        assertThat(secondRun).doesNotHaveDuplicates().doesNotContainAnyElementsOf(firstRun);
        Set<Integer> all = new HashSet<>(firstRun);
        all.addAll(secondRun);
        assertThat(all).containsExactlyInAnyOrderElementsOf(range(0, 120));
    }

    @Test
    void aPausedConsumerIsNotPolledWhileTheBufferHoldsBatches() {
        // On a real broker a poll of paused partitions waits out its whole timeout: one before
        // every batch would hold the trainer up until the buffer ran low.
        int[] pausedPolls = {0};
        int[] polls = {0};
        org.apache.kafka.clients.consumer.MockConsumer<byte[], byte[]> counting =
                new org.apache.kafka.clients.consumer.MockConsumer<>("earliest") {
                    @Override
                    public synchronized org.apache.kafka.clients.consumer.ConsumerRecords<
                                    byte[], byte[]>
                            poll(Duration timeout) {
                        polls[0]++;
                        if (!paused().isEmpty()) {
                            pausedPolls[0]++;
                        }
                        return super.poll(timeout);
                    }
                };
        MockTopic topic = new MockTopic(2, counting);
        ShuffleConfig shuffle = ShuffleConfig.of(20, 20).toBuilder().resumeBelow(10).build();
        List<Integer> order = new ArrayList<>();
        try (KafkaBatchSource source = source(topic, shuffle, null, 1)) {
            topic.addExamples(0, 100, List.of("en"));
            for (TrainingBatch b : drain(source, 50)) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(order::add);
            }
            assertThat(source.pauses()).isGreaterThanOrEqualTo(2);
        }
        assertThat(polls[0]).isPositive();
        assertThat(pausedPolls[0]).isZero();
        assertThat(order).containsExactlyInAnyOrderElementsOf(range(0, 100));
    }

    @Test
    void anIdleTopicIsReadAgainWithoutCountingForFreshness() {
        MockTopic topic = new MockTopic(1);
        // Without the replay cache: a replay from Kafka (ReplayCacheTest replays from memory).
        ShuffleConfig noCache =
                ShuffleConfig.of(BATCH, BATCH).toBuilder().replayCacheMib(0).build();
        try (KafkaBatchSource source = source(topic, noCache, Duration.ZERO, 1)) {
            topic.addExamples(0, 8, List.of("en"));
            assertThat(source.next(Duration.ZERO)).isPresent();
            assertThat(source.next(Duration.ZERO)).isPresent();
            // Two empty polls: the first starts the idle time, the second (ZERO later) replays.
            assertThat(source.next(Duration.ZERO)).isEmpty();
            assertThat(source.passes()).isEqualTo(1);
            assertThat(source.next(Duration.ZERO)).isEmpty();
            assertThat(source.passes()).isEqualTo(2);
            topic.addExamples(0, 4, List.of("en")); // what the broker delivers after a rewind
            TrainingBatch replayed = next(source);
            assertThat(replayed.produceTimes()).containsOnly(-1L);
            assertThat(source.position()).isEqualTo(StreamPosition.of(Map.of(P0, 4L)));
        }
    }

    private List<Integer> numbers(long seed) {
        MockTopic topic = new MockTopic(2);
        ShuffleConfig shuffle =
                ShuffleConfig.of(16, 8).toBuilder()
                        .spillDir(temp)
                        .languageWeights(Map.of("de", 0.5))
                        .defaultWeight(1.0)
                        .build();
        List<Integer> out = new ArrayList<>();
        try (KafkaBatchSource source = source(topic, shuffle, null, seed)) {
            topic.addExamples(0, 80, List.of("en", "de"));
            for (TrainingBatch b : drain(source, 100)) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(out::add);
            }
        }
        return out;
    }

    /** Batches until {@code polls} polls in a row brought none. */
    private static List<TrainingBatch> drain(KafkaBatchSource source, int polls) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int idle = 0; idle < polls; idle++) {
            Optional<TrainingBatch> b = source.next(Duration.ZERO);
            if (b.isPresent()) {
                out.add(b.get());
                idle = -1;
            }
        }
        return out;
    }

    private static TrainingBatch next(KafkaBatchSource source) {
        for (int i = 0; i < 100; i++) {
            Optional<TrainingBatch> b = source.next(Duration.ZERO);
            if (b.isPresent()) {
                return b.get();
            }
        }
        throw new AssertionError("no batch in 100 polls");
    }

    private static KafkaBatchSource source(
            MockTopic topic, ShuffleConfig shuffle, Duration replay, long seed) {
        return new KafkaBatchSource(
                topic::open,
                BATCH,
                new ExampleDecoder(MODEL.imageSize(), TOKENIZER.vocabSize(), "bytes-v1"),
                MODEL,
                ByteTokenizer.EOS,
                replay,
                shuffle,
                new StreamRandom(seed));
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }
}
