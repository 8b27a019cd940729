package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.DecodedExample;
import io.streamlip.trainer.data.ExampleDecoder;
import io.streamlip.trainer.data.KafkaBatchSource;
import io.streamlip.trainer.data.SyntheticExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on a real broker: consumes examples, checkpoints offsets, announces, resumes. */
@Tag("integration")
class KafkaTrainerTest {
    private static final int BATCH = 16;
    private static final int VALID = 110;

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @TempDir Path temp;

    @Test
    void trainsFromTheTopicCheckpointsOffsetsAnnouncesAndResumes() throws Exception {
        KafkaClients kafka = KAFKA.clients();
        PipelineTopics topics = KAFKA.createTopics("trainer-test-");
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        produce(kafka, topics.examples(), SyntheticExamples.generate(VALID, 8, 32, tokenizer));

        TrainerConfig config =
                TrainerConfig.builder()
                        .model(model)
                        .batchSize(BATCH)
                        .threads(1)
                        .logEvery(2)
                        .checkpointDir(temp.resolve("ckpt"))
                        .checkpointEvery(3)
                        .keepCheckpoints(5)
                        .consumerGroup("trainer-test")
                        .runName("kafka-test")
                        .pollTimeout(Duration.ofMillis(500))
                        .build();

        TrainingSummary first;
        try (Trainer trainer = Trainer.create(config, kafka, topics)) {
            first = trainer.run(StopCondition.afterSteps(4));
        }
        assertThat(first.steps()).isEqualTo(4);
        assertThat(first.skippedRecords()).isEqualTo(2);
        TrainingState state = CheckpointStore.readState(first.checkpoint());
        assertThat(state.step()).isEqualTo(4);
        assertThat(state.examplesSeen()).isEqualTo(4L * BATCH);
        assertThat(state.skippedRecords()).isEqualTo(2);
        // Read and not pending in the shuffle buffer: trained (64) or refused (2).
        assertThat(done(state.position())).isEqualTo(4L * BATCH + 2);
        assertThat(state.offsetMap()).isEqualTo(state.position().trainedUpTo());
        assertThat(state.offsetMap().keySet()).allMatch(tp -> tp.topic().equals(topics.examples()));
        assertThat(committed(topics.examples(), "trainer-test")).isEqualTo(state.offsetMap());

        List<ModelUpdate> updates =
                TopicReader.await(
                        kafka,
                        topics.modelUpdates(),
                        AvroSerde.of(ModelUpdate.class),
                        list -> list.size() >= 2,
                        Duration.ofSeconds(30));
        assertThat(updates)
                .extracting(ModelUpdate::getModelVersion)
                .containsExactly("kafka-test/step-00000003", "kafka-test/step-00000004");
        ModelUpdate last = updates.get(1);
        assertThat(last.getStep()).isEqualTo(4);
        assertThat(last.getExamplesSeen()).isEqualTo(64);
        assertThat(Path.of(last.getCheckpointPath()))
                .isEqualTo(first.checkpoint().toAbsolutePath());
        assertThat(last.getLoss()).isNotNull().isPositive();

        // A restarted trainer resumes at the stored offsets: it does not re-read the first 66.
        TrainingSummary second;
        try (Trainer trainer = Trainer.create(config, kafka, topics)) {
            second = trainer.run(StopCondition.afterSteps(2));
        }
        assertThat(second.globalStep()).isEqualTo(6);
        TrainingState resumed = CheckpointStore.readState(second.checkpoint());
        assertThat(resumed.examplesSeen()).isEqualTo(6L * BATCH);
        assertThat(done(resumed.position())).isEqualTo(6L * BATCH + 2);
        assertThat(resumed.skippedRecords()).isEqualTo(2);
        assertThat(second.skippedRecords()).isZero();
    }

    /** Two undecodable records first, then the examples, keyed by id over both partitions. */
    @Test
    void replaysAFiniteTopicOnceItHasBeenIdle() throws Exception {
        KafkaClients kafka = KAFKA.clients();
        PipelineTopics topics =
                KAFKA.createTopics(
                        PipelineTopics.builder().partitions(1).build().prefixed("replay-"));
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        ModelConfig model = ModelConfig.tiny(tokenizer.vocabSize());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (DecodedExample e : SyntheticExamples.generate(20, 3, 32, tokenizer)) {
                producer.send(new ProducerRecord<>(topics.examples(), encode(e)));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(topics.examples(), 0);
        ExampleDecoder decoder = new ExampleDecoder(32, tokenizer.vocabSize(), "bytes-v1");
        try (KafkaBatchSource once =
                        new KafkaBatchSource(
                                kafka, topics.examples(), "once", 8, decoder, model, 1, null);
                KafkaBatchSource replaying =
                        new KafkaBatchSource(
                                kafka,
                                topics.examples(),
                                "replaying",
                                8,
                                decoder,
                                model,
                                1,
                                Duration.ofMillis(300))) {
            List<Long> plain = new ArrayList<>();
            List<TrainingBatch> replayed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                once.next(Duration.ofSeconds(i == 0 ? 60 : 2))
                        .ifPresent(b -> plain.add(b.nextOffsets().get(tp)));
            }
            for (int i = 0; i < 5; i++) {
                replayed.add(replaying.next(Duration.ofSeconds(i == 0 ? 60 : 10)).orElseThrow());
            }

            // Without replay the 4 records left over never make a batch; with it they are
            // trained in the next three batches together with the whole second pass.
            assertThat(plain).containsExactly(8L, 16L);
            assertThat(once.passes()).isEqualTo(1);
            assertThat(replayed.get(0).nextOffsets().get(tp)).isEqualTo(8L);
            assertThat(replayed.get(1).nextOffsets().get(tp)).isEqualTo(16L);
            assertThat(replaying.passes()).isEqualTo(2);
            // Examples of the second pass carry no produce time: they do not count for freshness.
            long firstPass =
                    replayed.subList(2, 5).stream()
                            .flatMapToLong(b -> Arrays.stream(b.produceTimes()))
                            .filter(t -> t >= 0)
                            .count();
            assertThat(firstPass).isEqualTo(4);
            assertThat(Arrays.stream(replayed.get(0).produceTimes()).allMatch(t -> t > 0)).isTrue();
            assertThat(replayed.get(4).nextOffsets().get(tp)).isEqualTo(20L);

            // New records the replaying pass reaches are fresh again.
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
                for (DecodedExample e : SyntheticExamples.generate(8, 4, 32, tokenizer)) {
                    producer.send(new ProducerRecord<>(topics.examples(), encode(e)));
                }
                producer.flush();
            }
            TrainingBatch fresh = replaying.next(Duration.ofSeconds(30)).orElseThrow();
            assertThat(fresh.nextOffsets().get(tp)).isEqualTo(28L);
            assertThat(Arrays.stream(fresh.produceTimes()).allMatch(t -> t > 0)).isTrue();
        }
    }

    private static void produce(KafkaClients kafka, String topic, List<DecodedExample> examples)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int p = 0; p < 2; p++) {
                producer.send(
                        new ProducerRecord<>(
                                topic, p, null, "not avro".getBytes(StandardCharsets.UTF_8)));
            }
            for (DecodedExample e : examples) {
                producer.send(
                        new ProducerRecord<>(
                                topic, e.id().getBytes(StandardCharsets.UTF_8), encode(e)));
            }
            producer.flush();
        }
    }

    private static byte[] encode(DecodedExample e) {
        Example record =
                Example.newBuilder()
                        .setId(e.id())
                        .setLang(e.lang())
                        .setCaption("")
                        .setTokenIds(Arrays.stream(e.tokenIds()).boxed().toList())
                        .setTokenizerVersion("bytes-v1")
                        .setImage(ByteBuffer.wrap(e.rgb()))
                        .setImageFormat(PixelFormat.RGB8_HWC)
                        .setImageSize(32)
                        .setSourceTime(Instant.now())
                        .build();
        return AvroSerde.of(Example.class).encode(record);
    }

    private static Map<TopicPartition, Long> committed(String topic, String group)
            throws Exception {
        try (Admin admin = KAFKA.broker().admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic))
                    .collect(
                            java.util.stream.Collectors.toMap(
                                    Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    /** Records a position counts as done (trained or refused); the topic starts at 0. */
    private static long done(io.streamlip.trainer.data.StreamPosition position) {
        return position.partitions().stream()
                .mapToLong(p -> p.readUpTo() - p.pending().size())
                .sum();
    }
}
