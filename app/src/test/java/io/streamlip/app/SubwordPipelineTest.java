package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.Tokenizers;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subword tokenizer end to end: {@code streamlip tokenizer train} on a pairs folder, the tokenize
 * job (MiniCluster, real broker) encoding with it, {@code streamlip train --tokenizer FILE}, then
 * {@code streamlip eval} rebuilding the tokenizer from the checkpoint alone: the same ids as the
 * examples carry, the same evaluation as during training. A run with another tokenizer fails.
 */
@Tag("integration")
class SubwordPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aTrainedTokenizerGoesFromTheTokenizeJobToEval(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs");
        new SyntheticPairs(32).writeEvalSet(pairs, 1, 3);
        Path file = dir.resolve("tokenizer.json");
        DemoCommandTest.Run trained =
                DemoCommandTest.run(
                        "tokenizer",
                        "train",
                        "--from-folder=" + pairs,
                        "--vocab-size=320",
                        "--out=" + file);
        assertThat(trained.code()).as(trained.err()).isZero();
        String version = JSON.readTree(trained.out()).path("version").asText();
        assertThat(version).startsWith("bpe");

        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
            PipelineTopics topics = PipelineTopics.defaults().prefixed("bpe-");
            try (var admin = broker.admin()) {
                topics.create(admin);
            }
            produceCurated(kafka, topics.curatedPairs(), 96);
            StreamExecutionEnvironment env =
                    JobEnvironment.create(
                            JobSettings.defaults(dir.resolve("flink")).toBuilder()
                                    .parallelism(1)
                                    .build());
            TokenizeJob.attach(
                    env,
                    kafka,
                    topics,
                    TokenizeConfig.builder().tokenizer(file.toString()).build(),
                    true);
            env.execute("bpe-tokenize");
            List<Example> examples =
                    TopicReader.readAll(kafka, topics.examples(), AvroSerde.of(Example.class));
            assertThat(examples).isNotEmpty();
            assertThat(examples)
                    .allSatisfy(e -> assertThat(e.getTokenizerVersion()).isEqualTo(version));

            Path checkpoints = dir.resolve("checkpoints");
            List<String> train =
                    List.of(
                            "train",
                            "--bootstrap=" + broker.bootstrapServers(),
                            "--topic-prefix=bpe-",
                            "--checkpoints=" + checkpoints,
                            "--eval-set=" + pairs,
                            "--steps=2",
                            "--batch-size=16",
                            "--threads=1");
            DemoCommandTest.Run first = run(train, "--tokenizer=" + file);
            assertThat(first.code()).as(first.err()).isZero();
            JsonNode run1 = JSON.readTree(first.out());
            assertThat(run1.path("steps").asLong()).isEqualTo(2);
            Path checkpoint = Path.of(run1.path("checkpoint").asText());
            assertThat(checkpoint.resolve(Tokenizers.FILE)).hasSameBinaryContentAs(file);

            // The checkpoint alone rebuilds the tokenizer: the ids the tokenize job wrote.
            CaptionTokenizer rebuilt = CheckpointStore.tokenizer(checkpoint);
            assertThat(rebuilt.version()).isEqualTo(version);
            for (Example e : examples) {
                assertThat(rebuilt.encode(e.getCaption()))
                        .as(e.getCaption())
                        .containsExactly(
                                e.getTokenIds().stream().mapToInt(Integer::intValue).toArray());
            }
            DemoCommandTest.Run eval =
                    DemoCommandTest.run(
                            "eval", "--checkpoint=" + checkpoint, "--set=" + pairs, "--json");
            assertThat(eval.code()).as(eval.err()).isZero();
            assertThat(JSON.readTree(eval.out()).path("mean"))
                    .isEqualTo(run1.path("eval").path("mean"));

            // Another tokenizer for these checkpoints is refused with the reason.
            DemoCommandTest.Run bytes = run(train, "--tokenizer=bytes");
            assertThat(bytes.code()).isNotZero();
            assertThat(bytes.err())
                    .contains("was trained with tokenizer " + version)
                    .contains("configured with bytes-v1");
            DemoCommandTest.Run evalBytes =
                    DemoCommandTest.run(
                            "eval",
                            "--checkpoint=" + checkpoint,
                            "--set=" + pairs,
                            "--tokenizer=bytes");
            assertThat(evalBytes.code()).isNotZero();
            assertThat(evalBytes.err()).contains("was made with tokenizer " + version);

            // Without --tokenizer the trainer resumes with the one its checkpoint carries.
            DemoCommandTest.Run resumed = run(train);
            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(JSON.readTree(resumed.out()).path("global_step").asLong()).isEqualTo(4);
        }
    }

    private static DemoCommandTest.Run run(List<String> args, String... more) {
        String[] all = new String[args.size() + more.length];
        for (int i = 0; i < args.size(); i++) {
            all[i] = args.get(i);
        }
        System.arraycopy(more, 0, all, args.size(), more.length);
        return DemoCommandTest.run(all);
    }

    /**
     * Synthetic pairs as the filter would pass them (built here: curating would load the language
     * detector, which this test does not need).
     */
    private static void produceCurated(KafkaClients kafka, String topic, int count) {
        AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            new SyntheticPairs(32)
                    .pairs(count, 5)
                    .forEachRemaining(
                            p -> {
                                CuratedPair c =
                                        CuratedPair.newBuilder()
                                                .setPair(p)
                                                .setCaption(p.getAltText())
                                                .setLang(p.getLangHint())
                                                .setImageFormat("png")
                                                .setImageWidth(32)
                                                .setImageHeight(32)
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
