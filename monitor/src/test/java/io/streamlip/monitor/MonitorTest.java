package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.Secrets;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The monitor against a real broker with real topics, a lagging group, rejects and a trainer. */
@Tag("integration")
class MonitorTest {
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();
    static KafkaClients kafka;
    static final PipelineTopics TOPICS = PipelineTopics.defaults().prefixed("mon-");

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        kafka = KAFKA.clients();
        PipelineFixture.populate(kafka, TOPICS);
    }

    static MonitorConfig config(Path history) {
        return MonitorConfig.builder()
                .interval(Duration.ofMillis(200))
                .window(3)
                .historyDir(history)
                .retention(Duration.ofDays(1))
                .build();
    }

    @Test
    void snapshotShowsTopicsLagRejectsAndTrainer() {
        Snapshot first;
        Snapshot second;
        try (Monitor monitor = new Monitor(kafka, TOPICS, config(dir.resolve("history")))) {
            first = monitor.refresh();
            PipelineFixture.produceRaw(kafka, TOPICS, 10); // traffic between the two snapshots
            second = monitor.refresh();
            assertThat(monitor.trainerCurve())
                    .extracting(TrainerPoint::step)
                    .containsExactly(100L, 200L);
            assertThat(monitor.history().range(0, Long.MAX_VALUE)).hasSize(2);
        }
        assertThat(first.reachable()).isTrue();
        assertThat(second.topics())
                .extracting(Snapshot.TopicStats::name)
                .containsExactly(
                        "mon-raw-pairs",
                        "mon-curated-pairs",
                        "mon-examples",
                        "mon-rejects",
                        "mon-model-updates");
        Snapshot.TopicStats raw = second.topic("mon-raw-pairs");
        assertThat(raw.partitions()).isEqualTo(2);
        assertThat(raw.endOffsetSum()).isEqualTo(PipelineFixture.RAW + 10);
        assertThat(raw.records()).isEqualTo(PipelineFixture.RAW + 10);
        assertThat(raw.sizeBytes()).isPositive();
        assertThat(first.topic("mon-raw-pairs").messagesPerSecond()).isNaN();
        assertThat(raw.messagesPerSecond()).isPositive();
        assertThat(raw.bytesPerSecond()).isPositive();
        assertThat(second.topic("mon-curated-pairs").messagesPerSecond()).isZero();

        Snapshot.GroupStats filter = second.group(PipelineFixture.FILTER_GROUP);
        assertThat(filter).isNotNull();
        assertThat(filter.members()).isZero();
        assertThat(filter.partitions()).hasSize(2);
        long committed =
                filter.partitions().stream().mapToLong(Snapshot.PartitionLag::committed).sum();
        assertThat(committed).isEqualTo(PipelineFixture.COMMITTED);
        assertThat(filter.totalLag())
                .isEqualTo(PipelineFixture.RAW + 10 - PipelineFixture.COMMITTED);
        assertThat(filter.partitions())
                .allSatisfy(p -> assertThat(p.lag()).isEqualTo(p.end() - p.committed()));
        // groups that never touched a pipeline topic are not shown; neither is the monitor itself
        assertThat(second.groups())
                .extracting(Snapshot.GroupStats::group)
                .containsExactly(PipelineFixture.FILTER_GROUP);

        assertThat(second.rejects().total()).isEqualTo(PipelineFixture.REJECTS);
        assertThat(second.rejects().byStage())
                .isEqualTo(
                        Map.of(
                                "filter", Map.of("duplicate", 3L, "caption_too_short", 1L),
                                "tokenize", Map.of("image_undecodable", 2L)));

        Snapshot.TrainerStats trainer = second.trainer();
        assertThat(trainer.modelVersion()).isEqualTo("run/step-200");
        assertThat(trainer.step()).isEqualTo(200);
        assertThat(trainer.loss()).isEqualTo(4.5);
        assertThat(trainer.examplesPerSecond()).isEqualTo(6400.0 / 10); // 6400 examples in 10 s
        assertThat(trainer.eval()).containsEntry("i2t_r1", 0.125);
        assertThat(trainer.freshnessSeconds()).isPositive();
    }

    @Test
    void rejectsWithUnknownStagesAndReasonsGiveABoundedLabelSet() {
        PipelineTopics junk = PipelineTopics.defaults().prefixed("junk-");
        try (Admin admin = Admin.create(kafka.common())) {
            junk.create(admin);
        }
        int each = 1000;
        AvroSerde<Reject> serde = AvroSerde.of(Reject.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer())) {
            for (int i = 0; i < 3 * each; i++) {
                String stage =
                        switch (i % 3) {
                            case 0 -> "filter";
                            case 1 -> "stage-" + i + "-\u00e9\"quoted\"";
                            default -> "tokenize";
                        };
                String reason =
                        switch (i % 3) {
                            case 0 -> "garbage reason " + i + " " + "x".repeat(i % 50);
                            case 1 -> RejectReason.DUPLICATE.code();
                            default -> RejectReason.IMAGE_UNDECODABLE.code();
                        };
                Reject r =
                        Reject.newBuilder()
                                .setId("j" + i)
                                .setStage(stage)
                                .setReason(reason)
                                .setDetail("test")
                                .setRejectTime(Instant.now())
                                .build();
                producer.send(new ProducerRecord<>(junk.rejects(), serde.encode(r)));
            }
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(junk.rejects(), new byte[] {1, 2, (byte) i}));
            }
            producer.flush();
        }
        Snapshot s;
        try (Monitor monitor = new Monitor(kafka, junk, config(null))) {
            s = monitor.refresh();
            for (int i = 0; i < 10 && s.rejects().total() < 3 * each + 5; i++) {
                s = monitor.refresh();
            }
        }
        assertThat(s.rejects().total()).isEqualTo(3 * each + 5);
        assertThat(s.rejects().byStage())
                .isEqualTo(
                        Map.of(
                                "filter", Map.of("other", (long) each),
                                "other", Map.of("duplicate", (long) each),
                                "tokenize", Map.of("image_undecodable", (long) each),
                                "unknown", Map.of(RejectCounts.UNDECODABLE, 5L)));
        Snapshot last = s;
        List<Labels> labels = new ArrayList<>();
        for (MetricSnapshot m : new MonitorMetrics(() -> last).collect()) {
            if (m.getMetadata().getName().equals("streamlip_rejects")) {
                m.getDataPoints().forEach(p -> labels.add(p.getLabels()));
            }
        }
        assertThat(labels).hasSize(4);
    }

    @Test
    void aStoppedGroupIsJudgedStopOnceItsWindowHasPassed() throws Exception {
        long[] now = {Instant.now().toEpochMilli()};
        try (Monitor monitor = new Monitor(kafka, TOPICS, config(null), () -> now[0])) {
            Snapshot s = null;
            for (int i = 0; i < 3; i++) {
                s = monitor.refresh();
                now[0] += 200;
            }
            Snapshot.GroupStats g = s.group(PipelineFixture.FILTER_GROUP);
            assertThat(g.worstPartition()).isEqualTo(LagStatus.STOP);
            assertThat(g.status()).isEqualTo(LagStatus.ERR);
        }
    }

    @Test
    void lagWindowsComeBackFromTheHistory() {
        Path history = dir.resolve("restored");
        long[] now = {Instant.now().toEpochMilli()};
        try (Monitor monitor = new Monitor(kafka, TOPICS, config(history), () -> now[0])) {
            for (int i = 0; i < 2; i++) {
                monitor.refresh();
                now[0] += 200;
            }
        }
        try (Monitor monitor = new Monitor(kafka, TOPICS, config(history), () -> now[0])) {
            // two observations restored + this one make a whole window of a group standing still
            Snapshot s = monitor.refresh();
            assertThat(s.group(PipelineFixture.FILTER_GROUP).worstPartition())
                    .isEqualTo(LagStatus.STOP);
        }
    }

    @Test
    void snapshotJsonHasTheDocumentedShape() throws Exception {
        Snapshot s;
        try (Monitor monitor = new Monitor(kafka, TOPICS, config(null))) {
            s = monitor.refresh();
        }
        JsonNode json = new ObjectMapper().readTree(MonitorJson.write(s));
        assertThat(json.get("reachable").asBoolean()).isTrue();
        assertThat(json.get("topics").get(0).get("endOffsets").isArray()).isTrue();
        assertThat(json.get("topics").get(0).get("messagesPerSecond").isNull()).isTrue();
        assertThat(json.get("topics").get(0).get("bytesSource").asText())
                .isEqualTo(Snapshot.BYTES_SOURCE);
        JsonNode group = json.get("groups").get(0);
        assertThat(group.get("group").asText()).isEqualTo(PipelineFixture.FILTER_GROUP);
        assertThat(group.get("partitions").get(0).fieldNames())
                .toIterable()
                .containsExactly("topic", "partition", "committed", "end", "lag", "status");
        assertThat(json.get("rejects").get("byStage").get("filter").get("duplicate").asLong())
                .isEqualTo(3);
        assertThat(json.get("trainer").get("step").asLong()).isEqualTo(200);
    }

    @Test
    void aBrokerThatIsDownGivesAnUnreachableSnapshotAndTheNextRefreshTriesAgain() {
        KafkaClients nowhere = KafkaClients.of("127.0.0.1:" + PipelineFixture.closedPort());
        MonitorConfig config =
                MonitorConfig.builder().requestTimeout(Duration.ofMillis(500)).build();
        try (Monitor monitor = new Monitor(nowhere, TOPICS, config)) {
            Snapshot s = monitor.refresh();
            assertThat(s.reachable()).isFalse();
            assertThat(s.error()).isNotBlank();
            assertThat(s.topics()).isEmpty();
            assertThat(monitor.refresh().reachable()).isFalse();
        }
        List<String> masked =
                List.copyOf(
                        Secrets.mask(
                                        Map.of(
                                                "sasl.jaas.config", "secret-jaas",
                                                "ssl.truststore.password", "pw",
                                                "security.protocol", "SASL_SSL"))
                                .values());
        assertThat(masked).containsExactly(Secrets.HIDDEN, "SASL_SSL", Secrets.HIDDEN);
    }
}
