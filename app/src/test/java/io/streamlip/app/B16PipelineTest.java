package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.TokenizeJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model b16} end to end on CPU, as small as the real preset allows: {@code streamlip
 * submit --model b16} gives the tokenize job {@code --image-size 224}; the job's {@code main} runs
 * with those arguments on a MiniCluster against a real broker and makes 224 px examples; {@code
 * streamlip train --model b16} takes two steps of two of them and refuses an example of the default
 * 32 px that was already on the topic.
 */
@Tag("integration")
class B16PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "b16-";
    private static final int PAIRS = 6;

    @Test
    void aB16TrainerTrainsOnWhatTheTokenizeJobMakesForIt(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics = PipelineTopics.defaults().prefixed(PREFIX);
            try (var admin = broker.admin()) {
                topics.create(admin);
            }
            // An example of the tokenize job's default size, as a job started without
            // --image-size would have made it: at the start of its partition, so the trainer's
            // first read meets it.
            produceExampleAt32Px(kafka, topics.examples());
            produceCurated(kafka, topics.curatedPairs(), PAIRS);

            SubmitCommand submit = new SubmitCommand();
            new picocli.CommandLine(submit)
                    .parseArgs(
                            "--bootstrap=" + broker.bootstrapServers(),
                            "--jar=unused.jar",
                            "--checkpoint-dir=" + dir.resolve("flink").toUri(),
                            "--topic-prefix=" + PREFIX,
                            "--parallelism=1",
                            "--restart-attempts=1",
                            "--model=b16");
            List<String> job = new ArrayList<>(submit.arguments("tokenize"));
            assertThat(job).containsSubsequence("--image-size", "224");
            job.add("--bounded");
            TokenizeJob.main(job.toArray(String[]::new));

            List<Example> examples =
                    TopicReader.readAll(kafka, topics.examples(), AvroSerde.of(Example.class));
            List<Example> made =
                    examples.stream().filter(e -> !e.getId().toString().equals("small")).toList();
            assertThat(made).hasSize(PAIRS).hasSize(examples.size() - 1);
            assertThat(made)
                    .allSatisfy(
                            e -> {
                                assertThat(e.getImageSize()).isEqualTo(224);
                                assertThat(e.getImage().remaining()).isEqualTo(224 * 224 * 3);
                            });

            DemoCommandTest.Run train =
                    DemoCommandTest.run(
                            "train",
                            "--bootstrap=" + broker.bootstrapServers(),
                            "--topic-prefix=" + PREFIX,
                            "--checkpoints=" + dir.resolve("checkpoints"),
                            "--model=b16",
                            "--steps=2",
                            "--batch-size=2",
                            "--threads=2");
            assertThat(train.code()).as(train.err()).isZero();
            JsonNode summary = JSON.readTree(train.out());
            assertThat(summary.path("steps").asLong()).isEqualTo(2);
            assertThat(summary.path("trained_examples").asLong()).isEqualTo(4);
            assertThat(summary.path("loss_last").asDouble()).isFinite();
            assertThat(summary.path("skipped_records").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(summary.path("checkpoint").asText()).isNotEmpty();
        }
    }

    private static void produceExampleAt32Px(KafkaClients kafka, String topic) {
        ByteTokenizer tokenizer = new ByteTokenizer(64);
        Example small =
                Example.newBuilder()
                        .setId("small")
                        .setLang("en")
                        .setCaption("a red square")
                        .setTokenIds(
                                Arrays.stream(tokenizer.encode("a red square")).boxed().toList())
                        .setTokenizerVersion(tokenizer.version())
                        .setImage(ByteBuffer.wrap(new byte[32 * 32 * 3]))
                        .setImageFormat(PixelFormat.RGB8_HWC)
                        .setImageSize(32)
                        .setSourceTime(Instant.now())
                        .build();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            "small".getBytes(StandardCharsets.UTF_8),
                            AvroSerde.of(Example.class).encode(small)));
        }
    }

    /**
     * Synthetic pairs as the filter would pass them (as {@link SubwordPipelineTest} makes them).
     */
    private static void produceCurated(KafkaClients kafka, String topic, int count) {
        AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            new SyntheticPairs(64)
                    .pairs(count, 7)
                    .forEachRemaining(
                            p -> {
                                CuratedPair c =
                                        CuratedPair.newBuilder()
                                                .setPair(p)
                                                .setCaption(p.getAltText())
                                                .setLang(p.getLangHint())
                                                .setImageFormat("png")
                                                .setImageWidth(64)
                                                .setImageHeight(64)
                                                .setImageSha256(p.getId())
                                                .setCuratedTime(Instant.now())
                                                .build();
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                p.getId().getBytes(StandardCharsets.UTF_8),
                                                serde.encode(c)));
                            });
        }
    }
}
