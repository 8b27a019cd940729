package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison records through the filter and tokenize jobs (one unbounded Flink job on a MiniCluster,
 * against a real broker): records whose fields, outputs or rejects would not fit Kafka's record
 * limit, among good pairs. The job never restarts, every poison record ends on {@code rejects} with
 * its reason (or, for a field that is repaired, as an example), and every good pair becomes an
 * example.
 */
@Tag("integration")
class PoisonRecordsJobTest {
    static final Duration WAIT = Duration.ofSeconds(180);
    static final int LIMIT = PipelineTopics.MAX_MESSAGE_BYTES;

    /**
     * Page context is truncated at 12 MiB here (the default is far smaller) so that one raw pair
     * within its bounds can curate to just over the topic limit: with the default bounds no pair
     * can.
     */
    static final int CONTEXT_CAP = 12 * 1024 * 1024;

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void poisonRecordsEndAsRejectsOrRepairedExamplesAndTheJobNeverRestarts(
            @TempDir Path checkpoints) throws Exception {
        PipelineTopics topics = KAFKA.createTopics("poison-");
        AvroSerde<RawPair> rawSerde = AvroSerde.of(RawPair.class);
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(32).pairs(22, 31).forEachRemaining(pairs::add);
        // Two pairs of their own for the poison records that are repaired, not refused: a copy of
        // a good pair's image and caption would be refused as a duplicate.
        List<RawPair> good = pairs.subList(0, 20);
        RawPair base = good.get(0);
        List<String> goodIds = new ArrayList<>(good.stream().map(RawPair::getId).toList());

        Map<String, String> expectedRejects = new HashMap<>(); // Kafka key -> stage:reason
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            good.forEach(producer::send);
            // A 9 MB language hint: not a BCP 47 tag, so the pair is curated as undetermined.
            producer.send(
                    RawPair.newBuilder(pairs.get(20))
                            .setId("lang-hint-9mb")
                            .setLangHint("x".repeat(9_000_000))
                            .build());
            goodIds.add("lang-hint-9mb");
            // A 15 MB page context: truncated to its bound, the pair passes.
            producer.send(
                    RawPair.newBuilder(pairs.get(21))
                            .setId("context-15mb")
                            .setPageContext("c".repeat(15_000_000))
                            .build());
            goodIds.add("context-15mb");
            // 100,000 attributes (about 3 MB): refused, naming the field.
            Map<String, String> attributes = new HashMap<>();
            for (int i = 0; i < 100_000; i++) {
                attributes.put("attribute-" + i, "value-of-attribute-" + i);
            }
            producer.send(
                    RawPair.newBuilder(base)
                            .setId("attributes-100k")
                            .setAttributes(attributes)
                            .build());
            expectedRejects.put("attributes-100k", "filter:field_too_large");
            // An id of 100 KB (also the record's key): refused; the reject keeps neither.
            producer.send(RawPair.newBuilder(base).setId("i".repeat(100_000)).build());
            // A 1 MB URL and no image.
            producer.send(
                    RawPair.newBuilder(base)
                            .setId("url-1mb")
                            .setImage(null)
                            .setImageUrl("https://example.com/" + "u".repeat(1_000_000))
                            .build());
            expectedRejects.put("url-1mb", "filter:field_too_large");
            // Random bytes a few hundred bytes under the limit: not Avro, too large to carry.
            producer.sendBytes("random-near-limit", TestImages.randomBytes(LIMIT - 400, 3), null);
            expectedRejects.put("random-near-limit", "filter:not_avro");
            // An image one byte over the filter's bound.
            byte[] overBound =
                    padPng(TestImages.png(32, 32), FilterConfig.defaults().maxImageBytes() + 1);
            producer.send(
                    RawPair.newBuilder(base)
                            .setId("image-over-bound")
                            .setImage(ByteBuffer.wrap(overBound))
                            .build());
            expectedRejects.put("image-over-bound", "filter:image_too_large");
            // Every field within its bound, but curated it is just over the topic limit.
            RawPair curatesOver = curatesJustOver(rawSerde, base, "curates-over-limit");
            producer.send(curatesOver);
            expectedRejects.put("curates-over-limit", "filter:record_too_large");
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(KAFKA.clients().producer())) {
            // Straight onto the curated topic: the tokenize stage's own poison.
            producer.send(
                    new ProducerRecord<>(
                            topics.curatedPairs(),
                            key("curated-random-near-limit"),
                            TestImages.randomBytes(LIMIT - 400, 4)));
            expectedRejects.put("curated-random-near-limit", "tokenize:not_avro");
            CuratedPair hugeCaption = curatedNearLimit(base, "curated-caption-near-limit");
            producer.send(
                    new ProducerRecord<>(
                            topics.curatedPairs(),
                            key("curated-caption-near-limit"),
                            AvroSerde.of(CuratedPair.class).encode(hugeCaption)));
            expectedRejects.put("curated-caption-near-limit", "tokenize:caption_too_long");
            producer.flush();
        }
        int expectedRejectCount = expectedRejects.size() + 1; // + the 100 KB id

        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(1)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        Configuration conf = JobEnvironment.configuration(settings);
        try (MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build())) {
            cluster.start();
            StreamExecutionEnvironment env = JobEnvironment.create(settings);
            FilterJob.attach(
                    env, KAFKA.clients(), topics, filterConfig(), FilterJob.Options.defaults());
            TokenizeJob.attach(env, KAFKA.clients(), topics, TokenizeConfig.defaults(), false);
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            URI rest = cluster.getRestAddress().get();
            try {
                AvroSerde<Example> exampleSerde = AvroSerde.of(Example.class);
                AvroSerde<Reject> rejectSerde = AvroSerde.of(Reject.class);
                long deadline = System.nanoTime() + WAIT.toNanos();
                List<Example> examples = List.of();
                List<Reject> rejects = List.of();
                while (System.nanoTime() < deadline) {
                    assertNeverRestarted(cluster, job, rest);
                    examples =
                            TopicReader.readAll(KAFKA.clients(), topics.examples(), exampleSerde);
                    rejects = TopicReader.readAll(KAFKA.clients(), topics.rejects(), rejectSerde);
                    if (examples.size() >= goodIds.size()
                            && rejects.size() >= expectedRejectCount) {
                        break;
                    }
                    Thread.sleep(1000);
                }
                // A few more checkpoints for any surplus (or a late failure) to show.
                Thread.sleep(2000);
                assertNeverRestarted(cluster, job, rest);
                assertThat(cluster.getJobStatus(job).get(10, TimeUnit.SECONDS))
                        .isEqualTo(JobStatus.RUNNING);
                examples = TopicReader.readAll(KAFKA.clients(), topics.examples(), exampleSerde);
                rejects = TopicReader.readAll(KAFKA.clients(), topics.rejects(), rejectSerde);

                assertThat(examples.stream().map(Example::getId))
                        .containsExactlyInAnyOrderElementsOf(goodIds);
                Example repaired =
                        examples.stream()
                                .filter(e -> e.getId().equals("lang-hint-9mb"))
                                .findFirst()
                                .orElseThrow();
                assertThat(repaired.getLang().length()).isLessThanOrEqualTo(35);

                Map<String, String> seen = new HashMap<>();
                for (Reject r : rejects) {
                    String key = r.getKey() == null ? null : text(r.getKey());
                    seen.put(key, r.getStage() + ":" + r.getReason());
                    assertThat(r.getDetail()).hasSizeLessThanOrEqualTo(1100);
                    assertThat(r.getTopic()).startsWith("poison-");
                    assertThat(r.getOffset()).isNotNegative();
                }
                assertThat(rejects).hasSize(expectedRejectCount);
                assertThat(seen).containsAllEntriesOf(expectedRejects);
                // The 100 KB id is not repeated as the reject's id (nor its Kafka key); the reject
                // fits with the original key and payload, so it keeps them.
                String hugeId = "i".repeat(100_000);
                assertThat(seen).containsEntry(hugeId, "filter:field_too_large");
                Reject hugeIdReject =
                        rejects.stream()
                                .filter(r -> r.getKey() != null && text(r.getKey()).equals(hugeId))
                                .findFirst()
                                .orElseThrow();
                assertThat(hugeIdReject.getId()).isNull();
                assertThat(hugeIdReject.getDetail()).startsWith("id has 100000 chars");
                for (String tooLarge :
                        List.of(
                                "random-near-limit",
                                "curated-random-near-limit",
                                "curates-over-limit",
                                "curated-caption-near-limit")) {
                    Reject r =
                            rejects.stream()
                                    .filter(x -> x.getKey() != null)
                                    .filter(x -> text(x.getKey()).equals(tooLarge))
                                    .findFirst()
                                    .orElseThrow();
                    assertThat(r.getPayload()).as(tooLarge).isNull();
                    assertThat(r.getDetail()).as(tooLarge).contains("payload omitted");
                }
                Reject imageOver =
                        rejects.stream()
                                .filter(r -> "image-over-bound".equals(r.getId()))
                                .findFirst()
                                .orElseThrow();
                assertThat(imageOver.getPayload()).as("fits, so it is kept").isNotNull();
            } finally {
                cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
            }
        }
    }

    static FilterConfig filterConfig() {
        return FilterConfig.builder()
                .bounds(RecordBounds.builder().maxPageContextChars(CONTEXT_CAP).build())
                .build();
    }

    /**
     * Fails when the job has restarted or failed: its {@code numRestarts} metric (REST) is above 0,
     * or its execution graph has a RESTARTING timestamp or a failure.
     */
    static void assertNeverRestarted(MiniCluster cluster, JobID job, URI rest) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
        String failure =
                graph.getFailureInfo() == null
                        ? "none"
                        : graph.getFailureInfo().getExceptionAsString();
        assertThat(graph.getStatusTimestamp(JobStatus.RESTARTING))
                .as("the job passed RESTARTING; failure: %s", failure)
                .isZero();
        assertThat(graph.getState())
                .as("failure: %s", failure)
                .isNotIn(JobStatus.FAILED, JobStatus.FAILING);
        HttpResponse<String> metric =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                rest.resolve(
                                                        "/jobs/"
                                                                + job
                                                                + "/metrics?get=numRestarts"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        Matcher value = Pattern.compile("\"value\":\"(\\d+)\"").matcher(metric.body());
        if (value.find()) {
            assertThat(Long.parseLong(value.group(1))).as("numRestarts").isZero();
        }
    }

    /**
     * A pair whose fields are all within {@link #filterConfig()}'s bounds (page context exactly at
     * its cap, an image under the filter's byte bound) and whose encoding is as large as a producer
     * accepts less 60 bytes: curation adds about 120 bytes, so the curated record does not fit.
     */
    static RawPair curatesJustOver(AvroSerde<RawPair> serde, RawPair base, String id) {
        int target = LIMIT - key(id).length - 82 - 60;
        byte[] png = TestImages.png(32, 32);
        RawPair pair =
                RawPair.newBuilder(base)
                        .setId(id)
                        .setPageContext("c".repeat(CONTEXT_CAP))
                        .setImage(ByteBuffer.wrap(png))
                        .build();
        int imageSize = png.length + (target - serde.encode(pair).length);
        for (int i = 0; i < 3; i++) {
            pair =
                    RawPair.newBuilder(pair)
                            .setImage(ByteBuffer.wrap(padPng(png, imageSize)))
                            .build();
            imageSize += target - serde.encode(pair).length;
        }
        assertThat(serde.encode(pair)).hasSize(target);
        return pair;
    }

    /**
     * A curated pair of a small image whose caption makes it a few hundred bytes smaller than the
     * limit: its example (3 KB of pixels for a 16x16 PNG) would not fit.
     */
    static CuratedPair curatedNearLimit(RawPair base, String id) {
        RawPair pair =
                RawPair.newBuilder(base)
                        .setId(id)
                        .setImage(ByteBuffer.wrap(TestImages.png(16, 16)))
                        .build();
        int size = AvroSerde.of(CuratedPair.class).encode(curated(pair, "a")).length;
        return curated(pair, "a".repeat(LIMIT - key(id).length - 400 - size));
    }

    static CuratedPair curated(RawPair pair, String caption) {
        return CuratedPair.newBuilder()
                .setPair(pair)
                .setCaption(caption)
                .setLang("en")
                .setImageFormat("png")
                .setImageWidth(16)
                .setImageHeight(16)
                .setImageSha256("0")
                .setCuratedTime(Instant.now())
                .build();
    }

    /**
     * {@code png} with a private ancillary chunk ({@code stLp}, which decoders skip) inserted after
     * IHDR so that the whole file is {@code size} bytes.
     */
    static byte[] padPng(byte[] png, int size) {
        int data = size - png.length - 12;
        if (data < 0) {
            throw new IllegalArgumentException("cannot pad " + png.length + " to " + size);
        }
        int afterIhdr = 8 + 25;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(png, 0, afterIhdr);
        byte[] type = "stLp".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[data];
        out.writeBytes(ByteBuffer.allocate(4).putInt(data).array());
        out.writeBytes(type);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
}
