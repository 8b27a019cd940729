package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.TokenizeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The commands that work against a running Kafka: {@code import} and {@code train}. */
@Tag("integration")
class ImportAndTrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void importsSyntheticPairsAndAPairsFolder(@TempDir Path dir) throws Exception {
        KafkaClients kafka = KAFKA.clients();
        var synthetic =
                DemoCommandTest.run(
                        "import",
                        "synthetic",
                        "--count=40",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=imp-");
        assertThat(synthetic.code()).as(synthetic.err()).isZero();
        assertThat(JSON.readTree(synthetic.out()).path("pairs").asLong()).isEqualTo(40);

        Path folder = dir.resolve("set");
        long lines = new SyntheticPairs(16).writeEvalSet(folder, 1, 3);
        var fromFolder =
                DemoCommandTest.run(
                        "import",
                        folder.toString(),
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=imp-");
        assertThat(fromFolder.code()).as(fromFolder.err()).isZero();
        JsonNode stats = JSON.readTree(fromFolder.out());
        assertThat(stats.path("pairs").asLong()).isEqualTo(lines);
        assertThat(stats.path("per_language").size()).isEqualTo(SyntheticPairs.LANGUAGES.size());

        String raw = PipelineTopics.defaults().prefixed("imp-").rawPairs();
        assertThat(TopicReader.readAll(kafka, raw, AvroSerde.of(RawPair.class)))
                .hasSize((int) (40 + lines));
    }

    @Test
    void aMalformedLineIsCountedAndStrictStopsAtIt(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("set");
        java.nio.file.Files.createDirectories(folder.resolve("images"));
        java.nio.file.Files.write(folder.resolve("images/a.png"), new byte[] {1, 2, 3});
        StringBuilder index = new StringBuilder();
        for (int i = 1; i <= 69; i++) {
            index.append("{\"image\": \"images/a.png\", \"text\": \"cat ")
                    .append(i)
                    .append("\", \"lang\": \"en\"}\n");
        }
        index.append("{\"image\": \"images/a.png\", \"text\": oops\n");
        index.append("{\"image\": \"images/a.png\", \"text\": \"x\", \"lang\": \"")
                .append("q".repeat(500))
                .append("\"}\n");
        java.nio.file.Files.writeString(folder.resolve("pairs.jsonl"), index);

        var lenient =
                DemoCommandTest.run(
                        "import",
                        folder.toString(),
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=lenient-");
        assertThat(lenient.code()).as(lenient.err()).isZero();
        JsonNode stats = JSON.readTree(lenient.out());
        assertThat(stats.path("pairs").asLong()).isEqualTo(70);
        assertThat(stats.path("per_language").path("en").asLong()).isEqualTo(69);
        assertThat(stats.path("per_language").path("invalid").asLong()).isEqualTo(1);
        JsonNode rejected = stats.path("rejected");
        assertThat(rejected.path("total").asLong()).isEqualTo(1);
        assertThat(rejected.path("per_reason").path("not_json").asLong()).isEqualTo(1);
        assertThat(rejected.path("examples").get(0).path("line").asLong()).isEqualTo(70);
        assertThat(lenient.out().length()).isLessThan(4_000);
        assertThat(lenient.err()).contains("refused 1 input lines {not_json=1}");
        String raw = PipelineTopics.defaults().prefixed("lenient-").rawPairs();
        assertThat(TopicReader.count(kafka(), raw)).isEqualTo(70);

        var strict =
                DemoCommandTest.run(
                        "import",
                        folder.toString(),
                        "--strict",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=strict-");
        assertThat(strict.code()).isNotZero();
        assertThat(strict.err().strip())
                .startsWith("streamlip: ")
                .contains("pairs.jsonl:70: not_json: not JSON")
                .doesNotContain("\n");
        assertThat(strict.out()).isEmpty();
    }

    private static KafkaClients kafka() {
        return KAFKA.clients();
    }

    @Test
    void importRefusesAnUnknownSource() {
        var run =
                DemoCommandTest.run(
                        "import",
                        "/no/such/folder",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers());
        assertThat(run.code()).isNotZero();
        assertThat(run.err()).contains("SOURCE must be emoji, synthetic or a pairs folder");
    }

    @Test
    void trainsFromTheExamplesTopicAndResumes(@TempDir Path dir) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("train-");
        produceExamples(topics.examples(), 96);
        Path checkpoints = dir.resolve("checkpoints");
        Path evalSet = dir.resolve("eval");
        new SyntheticPairs(32).writeEvalSet(evalSet, 1, 3);
        String[] args = {
            "train",
            "--bootstrap=" + KAFKA.broker().bootstrapServers(),
            "--topic-prefix=train-",
            "--checkpoints=" + checkpoints,
            "--eval-set=" + evalSet,
            "--steps=2",
            "--batch-size=16",
            "--threads=1"
        };
        var first = DemoCommandTest.run(args);
        assertThat(first.code()).as(first.err()).isZero();
        JsonNode run1 = JSON.readTree(first.out());
        assertThat(run1.path("steps").asLong()).isEqualTo(2);
        assertThat(run1.path("trained_examples").asLong()).isEqualTo(32);
        assertThat(Path.of(run1.path("checkpoint").asText()).resolve("state.json")).exists();
        assertThat(run1.path("eval").path("languages").size())
                .isEqualTo(SyntheticPairs.LANGUAGES.size());

        var second = DemoCommandTest.run(args);
        assertThat(second.code()).as(second.err()).isZero();
        JsonNode run2 = JSON.readTree(second.out());
        // resumed from the first run's checkpoint: steps and examples continue
        assertThat(run2.path("global_step").asLong()).isEqualTo(4);
        assertThat(run2.path("examples_seen").asLong()).isEqualTo(64);
    }

    @Test
    void trainsWithTheChunkedLossAndTheTinyModelFromTheCommandLine(@TempDir Path dir)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("chunked-");
        produceExamples(topics.examples(), 48);
        Path checkpoints = dir.resolve("checkpoints");
        var run =
                DemoCommandTest.run(
                        "train",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=chunked-",
                        "--checkpoints=" + checkpoints,
                        "--model=tiny",
                        "--loss=chunked",
                        "--loss-chunks=2",
                        "--steps=2",
                        "--batch-size=16",
                        "--shuffle-buffer=32",
                        "--threads=1");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.path("steps").asLong()).isEqualTo(2);
        assertThat(summary.path("loss_last").asDouble()).isPositive();
        // The checkpoint records what the options asked for.
        JsonNode state =
                JSON.readTree(
                        Path.of(summary.path("checkpoint").asText())
                                .resolve("state.json")
                                .toFile());
        assertThat(state.path("model").path("name").asText()).isEqualTo("tiny");
        assertThat(state.path("trainer").path("loss").path("chunks").asInt()).isEqualTo(2);
        assertThat(state.path("trainer").path("shuffle").path("capacity").asInt()).isEqualTo(32);
    }

    @Test
    void trainsACaptionerThenCaptionsAndEvaluatesItsCheckpoint(@TempDir Path dir) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("caption-");
        produceExamples(topics.examples(), 48);
        Path checkpoints = dir.resolve("checkpoints");
        Path evalSet = dir.resolve("eval");
        new SyntheticPairs(32).writeEvalSet(evalSet, 1, 2);
        var run =
                DemoCommandTest.run(
                        "train",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=caption-",
                        "--checkpoints=" + checkpoints,
                        "--eval-set=" + evalSet,
                        "--model=captioner-tiny",
                        "--caption-contrastive",
                        "--steps=2",
                        "--batch-size=16",
                        "--threads=1");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.path("steps").asLong()).isEqualTo(2);
        Path checkpoint = Path.of(summary.path("checkpoint").asText());
        JsonNode state = JSON.readTree(checkpoint.resolve("state.json").toFile());
        assertThat(state.path("model").path("family").asText()).isEqualTo("CAPTIONER");
        assertThat(state.path("model").path("decoder").path("contrastive").asBoolean()).isTrue();
        assertThat(state.path("eval").has("caption_bleu4")).isTrue();
        assertThat(state.path("eval").has("i2t_r1")).isTrue(); // the sigmoid loss beside
        JsonNode captions = summary.path("eval").path("captions").path("languages");
        assertThat(captions.size()).isEqualTo(SyntheticPairs.LANGUAGES.size());

        Path image;
        try (var files = java.nio.file.Files.walk(evalSet)) {
            image = files.filter(f -> f.toString().endsWith(".png")).findFirst().orElseThrow();
        }
        var caption =
                DemoCommandTest.run(
                        "caption",
                        "--checkpoint=" + checkpoints,
                        "--image=" + image,
                        "--lang=de",
                        "--json");
        assertThat(caption.code()).as(caption.err()).isZero();
        JsonNode written = JSON.readTree(caption.out());
        assertThat(written.path("model_version").asText())
                .isEqualTo(state.path("modelVersion").asText());
        assertThat(written.path("lang_prompt").asBoolean()).isTrue();
        assertThat(written.path("captions").get(0).has("caption")).isTrue();
        var again =
                DemoCommandTest.run(
                        "caption",
                        "--checkpoint=" + checkpoints,
                        "--image=" + image,
                        "--lang=de",
                        "--json");
        assertThat(again.out()).isEqualTo(caption.out()); // greedy: the same caption again

        var eval =
                DemoCommandTest.run(
                        "eval", "--checkpoint=" + checkpoint, "--set=" + evalSet, "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(JSON.readTree(eval.out()).path("captions"))
                .isEqualTo(summary.path("eval").path("captions"));

        var notACaptioner =
                DemoCommandTest.run("caption", "--checkpoint=" + checkpoints, "--image=" + dir);
        assertThat(notACaptioner.code()).isNotZero();
    }

    private static void produceExamples(String topic, int count) {
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        AvroSerde<Example> serde = AvroSerde.of(Example.class);
        KafkaClients kafka = KAFKA.clients();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            new SyntheticPairs(32)
                    .pairs(count, 5)
                    .forEachRemaining(
                            p -> {
                                Example e =
                                        builder.build(curator.curate(p, Instant.now()).value())
                                                .value();
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                e.getId().getBytes(StandardCharsets.UTF_8),
                                                serde.encode(e)));
                            });
        }
    }
}
