package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.trainer.TrainingProgress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamlip monitor} and the trainer's metrics endpoint. */
@Tag("integration")
class MonitorCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cr3t-do-not-print";
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void onceJsonPrintsOneSnapshotWithLagAndKeepsHistory(@TempDir Path dir) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("moncmd-");
        KafkaClients kafka = KAFKA.clients();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int i = 0; i < 12; i++) {
                producer.send(new ProducerRecord<>(topics.rawPairs(), i % 2, null, new byte[100]));
            }
        }
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(kafka.consumer("streamlip-filter-moncmd-raw-pairs"))) {
            c.commitSync(
                    Map.of(new TopicPartition(topics.rawPairs(), 0), new OffsetAndMetadata(2)));
        }
        var run =
                DemoCommandTest.run(
                        "monitor",
                        "--once",
                        "--json",
                        "--bootstrap=" + KAFKA.broker().bootstrapServers(),
                        "--topic-prefix=moncmd-",
                        "--history=" + dir.resolve("history"),
                        // a secret that must never be printed (unused on a PLAINTEXT listener)
                        "--kafka-property=sasl.jaas.config=org.example.Login required"
                                + " password=\""
                                + SECRET
                                + "\";");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out() + run.err()).doesNotContain(SECRET);
        JsonNode s = JSON.readTree(run.out());
        assertThat(s.path("reachable").asBoolean()).isTrue();
        assertThat(s.path("topics")).hasSize(5);
        JsonNode raw = s.path("topics").get(0);
        assertThat(raw.path("name").asText()).isEqualTo("moncmd-raw-pairs");
        assertThat(raw.path("endOffsets").toString()).isEqualTo("[6,6]");
        assertThat(raw.path("messagesPerSecond").isNumber()).isTrue(); // two samples were taken
        JsonNode group = s.path("groups").get(0);
        assertThat(group.path("group").asText()).isEqualTo("streamlip-filter-moncmd-raw-pairs");
        assertThat(group.path("totalLag").asLong()).isEqualTo(4);
        assertThat(group.path("status").asText()).isIn("OK", "WARN", "ERR");
        // the history (on Flink's frocksdbjni in this module) holds both samples
        assertThat(dir.resolve("history").resolve("CURRENT")).exists();
    }

    @Test
    void onceAgainstABrokerThatIsDownSaysSoAndExitsTwo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var run =
                DemoCommandTest.run(
                        "monitor", "--once", "--wait=2", "--bootstrap=127.0.0.1:" + port);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err())
                .contains("streamlip monitor: Kafka at 127.0.0.1:" + port + " did not answer");
    }

    @Test
    void trainerProgressIsServedAsPrometheusMetrics() throws Exception {
        TrainingProgress progress =
                new TrainingProgress(7, 448, 2.5, 120.0, 10.0, -10.0, 0, null, 1500, 4000);
        try (TrainerMetricsExport export =
                TrainerMetricsExport.start(() -> progress, InetAddress.getLoopbackAddress(), 0)) {
            assertThat(export.url()).startsWith("http://127.0.0.1:");
            String body =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(export.url())).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            assertThat(body.lines())
                    .contains(
                            "streamlip_trainer_step 7.0",
                            "streamlip_trainer_loss 2.5",
                            "streamlip_trainer_examples_per_second 120.0",
                            "streamlip_trainer_examples_seen 448.0",
                            "streamlip_trainer_freshness_seconds{quantile=\"0.5\"} 1.5",
                            "streamlip_trainer_freshness_seconds{quantile=\"0.95\"} 4.0");
        }
    }
}
