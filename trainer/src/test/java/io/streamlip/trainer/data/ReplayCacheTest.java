package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The replay cache, alone and in the streaming reader on Kafka's {@code MockConsumer}: a replay
 * from memory hands out what a replay from Kafka hands out, and over its bound the reader replays
 * from Kafka.
 */
class ReplayCacheTest {
    private static final int BATCH = 4;
    private static final ByteTokenizer TOKENIZER = new ByteTokenizer(32);
    private static final ModelConfig MODEL = ModelConfig.tiny(TOKENIZER.vocabSize());
    private static final TopicPartition P0 = new TopicPartition(MockTopic.NAME, 0);
    private static final TopicPartition P1 = new TopicPartition(MockTopic.NAME, 1);
    private static final DecodedExample EXAMPLE =
            new DecodedExample("ex", "en", new byte[1000], new int[] {5, 1});

    @Test
    void itHoldsNoMoreThanItsBoundThenStaysOff() {
        long each = ReplayCache.bytes(entry(0, 0));
        ReplayCache cache = new ReplayCache(3 * each);
        for (int i = 0; i < 3; i++) {
            cache.record(entry(0, i));
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(3 * each);
        assertThat(cache.replayable(Map.of(P0, 0L), tp -> 0)).isTrue();

        cache.record(entry(0, 3)); // one over: drops everything
        assertThat(cache.full()).isTrue();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
        assertThat(cache.replayable(Map.of(P0, 0L), tp -> 0)).isFalse();
        cache.restart(Map.of(P0, 0L)); // a rewind does not turn a full cache on again
        cache.record(entry(0, 0));
        assertThat(cache.size()).isZero();
    }

    @Test
    void itReplaysOnlyARecordingFromEveryPartitionsBeginning() {
        ReplayCache fresh = new ReplayCache(1 << 20);
        fresh.record(entry(0, 5)); // the consumer started at a committed offset, not the first
        assertThat(fresh.replayable(Map.of(P0, 0L), tp -> 0)).isFalse();
        // A partition that delivered nothing counts where its consumer stands.
        ReplayCache quiet = new ReplayCache(1 << 20);
        quiet.record(entry(0, 0));
        assertThat(quiet.replayable(Map.of(P0, 0L, P1, 0L), tp -> 0)).isTrue();
        assertThat(quiet.replayable(Map.of(P0, 0L, P1, 0L), tp -> 3)).isFalse();
        // After a seek it holds nothing until the next rewind to the beginnings.
        quiet.invalidate();
        quiet.record(entry(0, 1));
        assertThat(quiet.replayable(Map.of(P0, 0L, P1, 0L), tp -> 0)).isFalse();
        quiet.restart(Map.of(P0, 0L, P1, 0L));
        quiet.record(entry(1, 0));
        assertThat(quiet.replayable(Map.of(P0, 0L, P1, 0L), tp -> 9)).isTrue();
        assertThat(new ReplayCache(0).replayable(Map.of(P0, 0L), tp -> 0)).isFalse();
    }

    @Test
    void aReplayReadsTheRecordsInDeliveryOrderInChunksThenEnds() {
        ReplayCache cache = new ReplayCache(1 << 20);
        for (int i = 0; i < 5; i++) {
            cache.record(entry(i % 2, i / 2));
        }
        cache.startReplay();
        cache.record(entry(0, 99)); // nothing is recorded while replaying
        List<ReplayCache.Entry> first = List.copyOf(cache.next(3));
        List<ReplayCache.Entry> second = List.copyOf(cache.next(3));
        assertThat(first).extracting(ReplayCache.Entry::offset).containsExactly(0L, 0L, 1L);
        assertThat(second).extracting(ReplayCache.Entry::offset).containsExactly(1L, 2L);
        assertThat(cache.replaying()).isTrue();
        assertThat(cache.next(3)).isEmpty();
        assertThat(cache.replaying()).isFalse();
        cache.record(entry(1, 2)); // what the consumer delivers after the replay is kept
        assertThat(cache.size()).isEqualTo(6);
    }

    @Test
    void aReplayFromMemoryHandsOutWhatAReplayFromKafkaDoes() {
        Pass fromKafka = secondPass(0);
        Pass fromMemory = secondPass(512);
        assertThat(fromMemory.batches).isNotEmpty();
        assertThat(fromMemory.numbers).isEqualTo(fromKafka.numbers);
        assertThat(fromMemory.produceTimes).isEqualTo(fromKafka.produceTimes);
        assertThat(fromMemory.positions).isEqualTo(fromKafka.positions);
        assertThat(fromMemory.counts).isEqualTo(fromKafka.counts);
        assertThat(fromMemory.cached).isEqualTo(42); // 40 examples and 2 refused records
        assertThat(fromKafka.cached).isZero();
        // The replay shuffles again: pass 2 is not pass 1.
        assertThat(fromMemory.numbers).isNotEqualTo(fromMemory.firstPass);
        // Read again: only what pass 1 left in the buffer (less than a batch) counts for freshness.
        assertThat(fromMemory.produceTimes.stream().filter(t -> t != -1L)).hasSizeLessThan(BATCH);
    }

    @Test
    void aTopicOverTheBoundIsReplayedFromKafka() {
        MockTopic topic = new MockTopic(1);
        // 1 MiB holds about 300 examples of 32 px.
        ShuffleConfig shuffle = ShuffleConfig.of(8, 8).toBuilder().replayCacheMib(1).build();
        try (KafkaBatchSource source = source(topic, shuffle, 1)) {
            topic.addExamples(0, 400, List.of("en"));
            assertThat(drain(source)).hasSize(100);
            assertThat(source.replayCacheRecords()).isZero();
            source.inputComplete(true);
            assertThat(source.next(Duration.ZERO)).isEmpty(); // the rewind
            assertThat(source.passes()).isEqualTo(2);
            source.inputComplete(false);
            topic.addExamples(0, 400, List.of("en")); // what the broker delivers after a rewind
            List<TrainingBatch> replayed = drain(source);
            assertThat(replayed).hasSize(100);
            assertThat(source.position()).isEqualTo(StreamPosition.of(Map.of(P0, 400L)));
        }
    }

    /** What one source hands out in its second pass, with a replay cache of {@code mib}. */
    private static Pass secondPass(int mib) {
        MockTopic topic = new MockTopic(2);
        ShuffleConfig shuffle =
                ShuffleConfig.of(12, 12).toBuilder()
                        .languageWeights(Map.of("de", 0.5))
                        .defaultWeight(1.0)
                        .replayCacheMib(mib)
                        .build();
        Pass pass = new Pass();
        try (KafkaBatchSource source = source(topic, shuffle, 7)) {
            addRecords(topic);
            for (TrainingBatch b : drain(source)) {
                Arrays.stream(StreamExamples.numbers(b)).forEach(pass.firstPass::add);
            }
            pass.cached = source.replayCacheRecords();
            source.inputComplete(true);
            assertThat(source.next(Duration.ZERO)).isEmpty(); // the rewind
            assertThat(source.passes()).isEqualTo(2);
            source.inputComplete(false);
            if (mib == 0) {
                addRecords(topic); // what the broker delivers after a rewind
            }
            for (TrainingBatch b : drain(source)) {
                pass.batches.add(b);
                Arrays.stream(StreamExamples.numbers(b)).forEach(pass.numbers::add);
                Arrays.stream(b.produceTimes()).forEach(pass.produceTimes::add);
                pass.positions.add(source.position());
            }
            pass.counts = List.of(source.skipped(), source.sampledOut(), source.buffered());
        }
        return pass;
    }

    private static void addRecords(MockTopic topic) {
        topic.addExamples(0, 40, List.of("en", "de"));
        topic.add(0, 20, new byte[] {1, 2, 3}); // refused, each pass
        topic.add(1, 20, new byte[0]);
    }

    private static final class Pass {
        final List<Integer> firstPass = new ArrayList<>();
        final List<TrainingBatch> batches = new ArrayList<>();
        final List<Integer> numbers = new ArrayList<>();
        final List<Long> produceTimes = new ArrayList<>();
        final List<StreamPosition> positions = new ArrayList<>();
        List<Long> counts;
        int cached;
    }

    private static ReplayCache.Entry entry(int partition, long offset) {
        return new ReplayCache.Entry(partition, offset, 1000 + offset, EXAMPLE, null);
    }

    /** Batches until 20 polls in a row brought none. */
    private static List<TrainingBatch> drain(KafkaBatchSource source) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int idle = 0; idle < 20; idle++) {
            Optional<TrainingBatch> b = source.next(Duration.ZERO);
            if (b.isPresent()) {
                out.add(b.get());
                idle = -1;
            }
        }
        return out;
    }

    private static KafkaBatchSource source(MockTopic topic, ShuffleConfig shuffle, long seed) {
        return new KafkaBatchSource(
                topic::open,
                BATCH,
                new ExampleDecoder(MODEL.imageSize(), TOKENIZER.vocabSize(), "bytes-v1"),
                MODEL,
                ByteTokenizer.EOS,
                Duration.ofHours(1), // replays only once told the input is complete
                shuffle,
                new StreamRandom(seed));
    }
}
