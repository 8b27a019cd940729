package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The streaming reader on a real broker: shuffle, spill, backpressure, language mix, resume. */
@Tag("integration")
class KafkaBatchSourceTest {
    private static final int BATCH = 4;
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig MODEL = ModelConfig.tiny(TOKENIZER.vocabSize());

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();
    private static KafkaClients kafka;

    @TempDir Path temp;

    @BeforeAll
    static void startBroker() {
        kafka = KAFKA.clients();
    }

    @Test
    void shufflesSpillsAndPausesThePartitionsWhileTheBufferIsFull() throws Exception {
        String topic = topic("backpressure", 2);
        StreamExamples.produce(kafka, topic, 2, 0, 100, List.of("en"));
        ShuffleConfig shuffle =
                ShuffleConfig.of(20, 8).toBuilder().resumeBelow(10).spillDir(temp).build();
        List<Integer> order = new ArrayList<>();
        List<Boolean> pausedAfterEach = new ArrayList<>();
        try (KafkaBatchSource source = source(topic, shuffle, 1)) {
            Optional<TrainingBatch> batch;
            while (order.size() < 100 && (batch = next(source, true)).isPresent()) {
                for (int n : StreamExamples.numbers(batch.get())) {
                    order.add(n);
                }
                pausedAfterEach.add(!source.paused().isEmpty());
                if (!source.paused().isEmpty()) {
                    // Paused means the buffer reached its capacity and has not drained below the
                    // low-water mark since.
                    assertThat(source.buffered()).isGreaterThanOrEqualTo(10 - BATCH);
                }
            }
            assertThat(source.spilled()).isPositive();
            assertThat(source.pauses()).isGreaterThanOrEqualTo(2);
        }
        // Every example exactly once, in another order than produced.
        assertThat(order).containsExactlyInAnyOrderElementsOf(range(0, 100));
        assertThat(order).isNotEqualTo(range(0, 100));
        // Paused after some batches, resumed (not paused) after a later one, and paused again.
        int firstPaused = pausedAfterEach.indexOf(true);
        assertThat(firstPaused).isNotNegative();
        int resumed = pausedAfterEach.subList(firstPaused, pausedAfterEach.size()).indexOf(false);
        assertThat(resumed).isPositive();
        assertThat(pausedAfterEach.subList(firstPaused + resumed, pausedAfterEach.size()))
                .contains(true);
    }

    @Test
    void languageWeightsShiftTheMixWithAFixedSeed() throws Exception {
        String topic = topic("langs", 1);
        StreamExamples.produce(kafka, topic, 1, 0, 400, List.of("en", "de"));
        ShuffleConfig plain = ShuffleConfig.of(40, 40);
        ShuffleConfig weighted =
                plain.toBuilder()
                        .languageWeights(Map.of("de", 0.25, "en", 1.0))
                        .defaultWeight(1.0)
                        .build();
        int[] unweighted = countLangs(topic, plain, 5);
        int[] first = countLangs(topic, weighted, 5);
        int[] again = countLangs(topic, weighted, 5);

        assertThat(unweighted).containsExactly(200, 200, 0);
        assertThat(again).containsExactly(first); // same seed, same draw
        int en = first[0];
        int de = first[1];
        int sampledOut = first[2];
        // Every en kept; de kept with probability 1/4 (binomial(200, 0.25): 50 +- 6).
        assertThat(en).isGreaterThanOrEqualTo(196); // less only the batch left over
        assertThat(de).isBetween(30, 70);
        // Kept and trained, kept and left in the buffer (less than a batch), or sampled out.
        assertThat(400 - en - de - sampledOut).isBetween(0, BATCH - 1);
        assertThat((double) de / (en + de)).isLessThan(0.3);
    }

    @Test
    void aSourceResumedAtAPositionTrainsEveryRecordExactlyOnce() throws Exception {
        String topic = topic("resume", 2);
        StreamExamples.produce(kafka, topic, 2, 0, 120, List.of("en"));
        ShuffleConfig shuffle = ShuffleConfig.of(32, 16).toBuilder().spillDir(temp).build();
        Set<Integer> firstRun = new HashSet<>();
        StreamPosition position;
        try (KafkaBatchSource source = source(topic, shuffle, 3)) {
            for (int i = 0; i < 10; i++) {
                for (int n : StreamExamples.numbers(next(source, true).orElseThrow())) {
                    assertThat(firstRun.add(n)).isTrue();
                }
            }
            position = source.position();
        }
        // The buffer held records read but not trained: they are pending in the position.
        assertThat(position.pendingCount()).isPositive();
        assertThat(position.partitions())
                .allSatisfy(
                        p -> {
                            assertThat(p.readUpTo()).isGreaterThan(p.trainedUpTo());
                            assertThat(p.pending()).first().isEqualTo(p.trainedUpTo());
                        });

        List<Integer> secondRun = new ArrayList<>();
        Map<TopicPartition, Long> firstRead;
        try (KafkaBatchSource source = source(topic, shuffle, 4)) {
            source.seek(position);
            Optional<TrainingBatch> batch;
            while (secondRun.size() < 120 - firstRun.size()
                    && (batch = next(source, true)).isPresent()) {
                for (int n : StreamExamples.numbers(batch.get())) {
                    secondRun.add(n);
                }
            }
            firstRead = source.firstOffsetsRead();
        }
        assertThat(firstRead).isEqualTo(position.trainedUpTo());
        assertThat(secondRun).doesNotHaveDuplicates().doesNotContainAnyElementsOf(firstRun);
        Set<Integer> all = new HashSet<>(firstRun);
        all.addAll(secondRun);
        assertThat(all).containsExactlyInAnyOrderElementsOf(range(0, 120));
    }

    private int[] countLangs(String topic, ShuffleConfig shuffle, long seed) {
        int en = 0;
        int de = 0;
        try (KafkaBatchSource source = source(topic, shuffle, seed)) {
            Optional<TrainingBatch> batch;
            while ((batch = next(source, en + de == 0)).isPresent()) {
                for (String lang : batch.get().langs()) {
                    if ("de".equals(lang)) {
                        de++;
                    } else {
                        en++;
                    }
                }
            }
            return new int[] {en, de, (int) source.sampledOut()};
        }
    }

    /**
     * The next batch, waiting long for a slow broker on a loaded machine; without {@code first},
     * ten quiet seconds end the stream.
     */
    private static Optional<TrainingBatch> next(KafkaBatchSource source, boolean first) {
        return source.next(Duration.ofSeconds(first ? 60 : 10));
    }

    private KafkaBatchSource source(String topic, ShuffleConfig shuffle, long seed) {
        return new KafkaBatchSource(
                kafka,
                topic,
                "group-" + topic + "-" + seed + "-" + System.nanoTime(),
                BATCH,
                new ExampleDecoder(MODEL.imageSize(), TOKENIZER.vocabSize(), "bytes-v1"),
                MODEL,
                ByteTokenizer.EOS,
                null,
                shuffle,
                new StreamRandom(seed));
    }

    private static String topic(String name, int partitions) throws Exception {
        PipelineTopics topics =
                KAFKA.createTopics(
                        PipelineTopics.builder()
                                .partitions(partitions)
                                .build()
                                .prefixed(name + "-"));
        return topics.examples();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }
}
