package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.ModelUpdate;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.trainer.checkpoint.ModelUpdatePublisher;
import io.streamlip.trainer.checkpoint.TrainingState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlip trace} on pairs the real filter and tokenize jobs handled (MiniCluster, real
 * broker): one kept and trained on, one refused by the filter, one refused by a model, and one
 * never seen; and on a demo folder whose broker is reopened.
 */
@Tag("integration")
class TraceCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION_1 = "trace-run/step-00000001";
    private static final String VERSION_2 = "trace-run/step-00000002";

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void followsAKeptARefusedAndAModelRefusedPair(@TempDir Path dir) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("trace-");
        KafkaClients kafka = KAFKA.clients();
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(64).pairs(40, 21).forEachRemaining(good::add);
        RawPair kept = good.get(0);
        RawPair tiny =
                RawPair.newBuilder(new SyntheticPairs(8).pairs(1, 99).next()).setId("tiny").build();
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            producer.send(kept);
            producer.send(good.get(1));
            producer.send(tiny);
        }

        // The real filter and tokenize jobs, each bounded to what is on its input now.
        StreamExecutionEnvironment filter =
                JobEnvironment.create(
                        JobSettings.defaults(dir.resolve("flink-filter")).toBuilder()
                                .parallelism(1)
                                .build());
        FilterJob.attach(
                filter,
                kafka,
                topics,
                FilterConfig.defaults(),
                FilterJob.Options.builder().bounded(true).build());
        filter.execute("trace-filter");
        StreamExecutionEnvironment tokenize =
                JobEnvironment.create(
                        JobSettings.defaults(dir.resolve("flink-tokenize")).toBuilder()
                                .parallelism(1)
                                .build());
        TokenizeJob.attach(tokenize, kafka, topics, TokenizeConfig.defaults(), true);
        tokenize.execute("trace-tokenize");
        List<ConsumerRecord<byte[], byte[]>> examples =
                TopicReader.readRaw(kafka, topics.examples());
        assertThat(examples).hasSize(2);
        ConsumerRecord<byte[], byte[]> keptExample =
                examples.stream()
                        .filter(
                                r ->
                                        new String(r.key(), StandardCharsets.UTF_8)
                                                .equals(kept.getId()))
                        .findFirst()
                        .orElseThrow();
        Example example = AvroSerde.of(Example.class).decode(keptExample.value());
        assertThat(example.getSource()).isEqualTo(kept.getSource());
        assertThat(example.getModelVersion()).isNull();

        // A pair the live model refused. Producing one through the job needs a loaded model, so
        // its raw record goes in after the filter ran and its reject is written the way
        // CrossModalScoreOperator writes it.
        RawPair judged = RawPair.newBuilder(good.get(2)).setId("judged").build();
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            producer.send(judged);
        }
        send(
                kafka,
                topics.rejects(),
                "judged",
                AvroSerde.of(Reject.class)
                        .encode(
                                Reject.newBuilder()
                                        .setId("judged")
                                        .setStage(FilterJob.STAGE)
                                        .setReason(RejectReason.LOW_CROSSMODAL_SCORE.code())
                                        .setDetail(
                                                "score -0.4000 below 0.1000 (en) under "
                                                        + VERSION_1)
                                        .setKey(
                                                ByteBuffer.wrap(
                                                        "judged".getBytes(StandardCharsets.UTF_8)))
                                        .setPayload(
                                                ByteBuffer.wrap(
                                                        AvroSerde.of(RawPair.class).encode(judged)))
                                        .setRejectTime(Instant.now())
                                        .setModelVersion(VERSION_1)
                                        .build()));

        // Checkpoints as the trainer announces them: the first has trained nothing of the
        // examples partition, the second and third everything up to its end.
        long end = examples.stream().mapToLong(ConsumerRecord::offset).max().orElseThrow() + 1;
        announce(kafka, topics, dir, 1, VERSION_1, 0);
        announce(kafka, topics, dir, 2, VERSION_2, end);
        announce(kafka, topics, dir, 3, "trace-run/step-00000003", end);

        String bootstrap = "--bootstrap=" + KAFKA.broker().bootstrapServers();
        DemoCommandTest.Run keptRun =
                DemoCommandTest.run("trace", kept.getId(), bootstrap, "--topic-prefix=trace-");
        assertThat(keptRun.code()).as(keptRun.err()).isZero();
        assertThat(keptRun.out())
                .contains("pair " + kept.getId())
                .contains("status trained")
                .contains("raw       trace-raw-pairs 0/")
                .contains("curated   trace-curated-pairs 0/")
                .contains("example   trace-examples 0/" + keptExample.offset())
                .contains("trained   step 2, model " + VERSION_2)
                .doesNotContain("rejected");

        JsonNode keptJson = traceJson(kept.getId(), bootstrap);
        assertThat(keptJson.path("found").asBoolean()).isTrue();
        JsonNode pair = keptJson.path("pairs").get(0);
        assertThat(pair.path("id").asText()).isEqualTo(kept.getId());
        assertThat(pair.path("source").asText()).isEqualTo(kept.getSource());
        assertThat(pair.path("status").asText()).isEqualTo("trained");
        assertThat(pair.path("raw")).hasSize(1);
        assertThat(pair.path("rejects")).isEmpty();
        assertThat(pair.path("curated").get(0).path("model_version").isNull()).isTrue();
        JsonNode ex = pair.path("examples").get(0);
        assertThat(ex.path("at").path("offset").asLong()).isEqualTo(keptExample.offset());
        assertThat(ex.path("trained_by").path("step").asLong()).isEqualTo(2);
        assertThat(ex.path("trained_by").path("model_version").asText()).isEqualTo(VERSION_2);

        // By the image's SHA-256: the same pair.
        String sha = PairTracer.sha256(kept.getImage());
        JsonNode byHash = traceJson(sha, bootstrap);
        assertThat(byHash.path("pairs")).hasSize(1);
        assertThat(byHash.path("pairs").get(0).path("id").asText()).isEqualTo(kept.getId());
        assertThat(byHash.path("pairs").get(0).path("image_sha256").asText()).isEqualTo(sha);

        DemoCommandTest.Run tinyRun =
                DemoCommandTest.run("trace", "tiny", bootstrap, "--topic-prefix=trace-");
        assertThat(tinyRun.code()).as(tinyRun.err()).isZero();
        assertThat(tinyRun.out())
                .contains("pair tiny")
                .contains("status rejected")
                .contains("rejected  filter image_too_small: ")
                .doesNotContain("by model")
                .doesNotContain("curated ")
                .doesNotContain("example ");
        JsonNode tinyJson = traceJson("tiny", bootstrap).path("pairs").get(0);
        assertThat(tinyJson.path("rejects")).hasSize(1);
        assertThat(tinyJson.path("rejects").get(0).path("stage").asText()).isEqualTo("filter");
        assertThat(tinyJson.path("rejects").get(0).path("reason").asText())
                .isEqualTo("image_too_small");
        assertThat(tinyJson.path("rejects").get(0).path("model_version").isNull()).isTrue();

        JsonNode judgedJson = traceJson("judged", bootstrap).path("pairs").get(0);
        assertThat(judgedJson.path("status").asText()).isEqualTo("rejected");
        assertThat(judgedJson.path("raw")).hasSize(1);
        JsonNode byModel = judgedJson.path("rejects").get(0);
        assertThat(byModel.path("reason").asText()).isEqualTo("low_crossmodal_score");
        assertThat(byModel.path("model_version").asText()).isEqualTo(VERSION_1);
        DemoCommandTest.Run judgedRun =
                DemoCommandTest.run("trace", "judged", bootstrap, "--topic-prefix=trace-");
        assertThat(judgedRun.out())
                .contains("rejected  filter low_crossmodal_score by model " + VERSION_1);

        DemoCommandTest.Run unknown =
                DemoCommandTest.run("trace", "never-sent", bootstrap, "--topic-prefix=trace-");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no pair with id or image SHA-256 never-sent");
        DemoCommandTest.Run unknownJson =
                DemoCommandTest.run(
                        "trace", "never-sent", bootstrap, "--topic-prefix=trace-", "--json");
        assertThat(unknownJson.code()).isEqualTo(1);
        assertThat(JSON.readTree(unknownJson.out()).path("found").asBoolean()).isFalse();
    }

    @Test
    void reopensAFinishedDemosBroker(@TempDir Path demo) throws Exception {
        RawPair pair = new SyntheticPairs(32).pairs(1, 5).next();
        try (KafkaBroker broker = KafkaBroker.start(demo.resolve("kafka"), false)) {
            PipelineTopics topics = PipelineTopics.defaults();
            try (var admin = broker.admin()) {
                topics.create(admin);
            }
            try (PairProducer producer =
                    new PairProducer(
                            KafkaClients.of(broker.bootstrapServers()), topics.rawPairs())) {
                producer.send(pair);
            }
        }
        DemoCommandTest.Run run =
                DemoCommandTest.run("trace", pair.getId(), "--demo=" + demo, "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode found = JSON.readTree(run.out()).path("pairs").get(0);
        assertThat(found.path("id").asText()).isEqualTo(pair.getId());
        assertThat(found.path("status").asText()).isEqualTo("raw");
        assertThat(found.path("raw").get(0).path("topic").asText()).isEqualTo("raw-pairs");

        DemoCommandTest.Run notADemo =
                DemoCommandTest.run("trace", pair.getId(), "--demo=" + demo.resolve("nothing"));
        assertThat(notADemo.code()).isNotZero();
        assertThat(notADemo.err()).contains("holds no Kafka log");
    }

    private static JsonNode traceJson(String id, String bootstrap) throws Exception {
        DemoCommandTest.Run run =
                DemoCommandTest.run("trace", id, bootstrap, "--topic-prefix=trace-", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    private static void announce(
            KafkaClients kafka,
            PipelineTopics topics,
            Path dir,
            long step,
            String version,
            long trainedUpTo) {
        TrainingState state =
                new TrainingState(
                        version,
                        step,
                        step * 2,
                        0,
                        List.of(
                                new TrainingState.PartitionOffset(
                                        topics.examples(), 0, trainedUpTo)),
                        null,
                        "bytes-v1",
                        null,
                        null,
                        10,
                        -10,
                        Instant.now().toString(),
                        Map.of(),
                        List.of(),
                        null,
                        null);
        ModelUpdate update =
                ModelUpdatePublisher.toRecord(dir.resolve("checkpoints/step-" + step), state);
        send(kafka, topics.modelUpdates(), version, AvroSerde.of(ModelUpdate.class).encode(update));
    }

    private static void send(KafkaClients kafka, String topic, String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
        }
    }
}
