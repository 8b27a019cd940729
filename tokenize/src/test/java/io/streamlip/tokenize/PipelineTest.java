package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
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
import io.streamlip.sinks.FileSinkConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton's data path end to end, the way {@code streamlip demo} runs it: filter and
 * tokenize attached to one environment, run as one unbounded Flink job on an in-process MiniCluster
 * ({@code executeAsync}) against a real broker, and cancelled once the expected output is there.
 */
@Tag("integration")
class PipelineTest {
    static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    @Test
    void goodPairsBecomeExamplesAndEveryBadRecordARejectWhileTheJobRuns(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("pipeline-");
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(64).pairs(40, 21).forEachRemaining(good::add);
        RawPair first = good.get(0);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            good.forEach(producer::send);
            producer.send(first); // exact duplicate
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("same-image-new-caption")
                            .setAltText("ein Bild")
                            .build()); // passes: another caption
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("undecodable")
                            .setImage(ByteBuffer.wrap(TestImages.randomBytes(3000, 1)))
                            .build());
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("truncated-jpeg")
                            .setImage(
                                    ByteBuffer.wrap(
                                            TestImages.truncated(TestImages.jpeg(64, 64), 0.5)))
                            .setAltText("a truncated photo")
                            .build());
            producer.send(
                    RawPair.newBuilder(first).setId("empty-caption").setAltText("\n \t").build());
            producer.send(
                    RawPair.newBuilder(first)
                            .setId("bomb")
                            .setImage(ByteBuffer.wrap(TestImages.pngHeaderOnly(50_000, 50_000)))
                            .build());
            producer.send(
                    RawPair.newBuilder(new SyntheticPairs(8).pairs(1, 99).next())
                            .setId("tiny")
                            .build());
            producer.sendBytes("not-avro", "garbage".getBytes(StandardCharsets.UTF_8), null);
        }
        // Records that reach the curated topic without the filter: the tokenize stage's rejects.
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(KAFKA.clients().producer())) {
            producer.send(
                    new ProducerRecord<>(
                            topics.curatedPairs(), "stray".getBytes(), "not avro".getBytes()));
            CuratedPair brokenImage =
                    CuratedPair.newBuilder()
                            .setPair(
                                    RawPair.newBuilder(first)
                                            .setId("curated-but-broken")
                                            .setImage(
                                                    ByteBuffer.wrap(TestImages.randomBytes(100, 2)))
                                            .build())
                            .setCaption("a broken image")
                            .setLang("en")
                            .setImageFormat("png")
                            .setImageWidth(64)
                            .setImageHeight(64)
                            .setImageSha256("0")
                            .setCuratedTime(Instant.now())
                            .build();
            producer.send(
                    new ProducerRecord<>(
                            topics.curatedPairs(),
                            "curated-but-broken".getBytes(),
                            AvroSerde.of(CuratedPair.class).encode(brokenImage)));
        }
        int expectedExamples = good.size() + 1;
        int expectedRejects = 9;

        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(
                env,
                KAFKA.clients(),
                topics,
                FilterConfig.defaults(),
                FilterJob.Options.defaults());
        TokenizeJob.attach(env, KAFKA.clients(), topics, TokenizeConfig.defaults(), false);
        JobClient job = env.executeAsync("streamlip-pipeline-test");
        try {
            AvroSerde<Example> examples = AvroSerde.of(Example.class);
            AvroSerde<Reject> rejects = AvroSerde.of(Reject.class);
            TopicReader.await(
                    KAFKA.clients(),
                    topics.examples(),
                    examples,
                    l -> l.size() >= expectedExamples,
                    WAIT);
            TopicReader.await(
                    KAFKA.clients(),
                    topics.rejects(),
                    rejects,
                    l -> l.size() >= expectedRejects,
                    WAIT);

            // The job is still running after the bad records: a later batch comes through.
            List<RawPair> later = new ArrayList<>();
            new SyntheticPairs(64).pairs(10, 22).forEachRemaining(later::add);
            try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
                later.forEach(producer::send);
            }
            int total = expectedExamples + later.size();
            TopicReader.await(
                    KAFKA.clients(), topics.examples(), examples, l -> l.size() >= total, WAIT);
            // Give any surplus a few checkpoints to show up before counting exactly.
            Thread.sleep(2000);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);

            List<Example> written =
                    TopicReader.readAll(KAFKA.clients(), topics.examples(), examples);
            assertThat(written.stream().map(Example::getId))
                    .hasSize(total)
                    .doesNotHaveDuplicates()
                    .contains("same-image-new-caption", later.get(9).getId());
            assertThat(written)
                    .allSatisfy(
                            e -> {
                                assertThat(e.getImage().remaining()).isEqualTo(32 * 32 * 3);
                                assertThat(e.getImageSize()).isEqualTo(32);
                                assertThat(e.getTokenIds()).isNotEmpty().endsWith(1);
                                assertThat(e.getTokenizerVersion()).isEqualTo("bytes-v1");
                            });

            List<Reject> refused = TopicReader.readAll(KAFKA.clients(), topics.rejects(), rejects);
            assertThat(
                            refused.stream()
                                    .map(r -> r.getStage() + ":" + r.getReason() + ":" + r.getId()))
                    .containsExactlyInAnyOrder(
                            "filter:duplicate:" + first.getId(),
                            "filter:image_undecodable:undecodable",
                            "filter:image_truncated:truncated-jpeg",
                            "filter:caption_empty:empty-caption",
                            "filter:image_too_large:bomb",
                            "filter:image_too_small:tiny",
                            "filter:not_avro:null",
                            "tokenize:not_avro:null",
                            "tokenize:image_undecodable:curated-but-broken");
            assertThat(refused)
                    .allSatisfy(
                            r -> {
                                assertThat(r.getTopic()).startsWith("pipeline-");
                                assertThat(r.getOffset()).isNotNegative();
                                assertThat(r.getPayload()).isNotNull();
                                assertThat(r.getDetail()).isNotBlank();
                            });
        } finally {
            JobEnvironment.cancel(job, Duration.ofSeconds(60));
        }
        assertThat(job.getJobExecutionResult()).isCompletedExceptionally();
    }

    @Test
    void theDemosWiringTokenizesTheFiltersOutputInTheSameJobExactlyOnce(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("onehop-");
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(64).pairs(30, 23).forEachRemaining(good::add);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            good.forEach(producer::send);
            producer.send(good.get(0)); // exact duplicate: the filter's reject
        }
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        DataStream<CuratedPair> curated =
                FilterJob.attach(
                        env,
                        KAFKA.clients(),
                        topics,
                        FilterConfig.defaults(),
                        FilterJob.Options.defaults());
        TokenizeJob.attachAfter(
                curated,
                KAFKA.clients(),
                topics,
                TokenizeConfig.defaults(),
                FileSinkConfig.defaults());
        JobClient job = env.executeAsync("streamlip-one-hop-test");
        try {
            AvroSerde<Example> examples = AvroSerde.of(Example.class);
            TopicReader.await(
                    KAFKA.clients(),
                    topics.examples(),
                    examples,
                    l -> l.size() >= good.size(),
                    WAIT);
            // Give any surplus a few checkpoints to show up before counting exactly.
            Thread.sleep(2000);
            List<ConsumerRecord<byte[], byte[]>> written =
                    TopicReader.readRaw(KAFKA.clients(), topics.examples());
            assertThat(written).hasSize(good.size());
            assertThat(written.stream().map(r -> examples.decode(r.value()).getId()))
                    .containsExactlyInAnyOrderElementsOf(
                            good.stream().map(RawPair::getId).toList());
            // The curated topic is still written, for trace and other readers.
            assertThat(TopicReader.count(KAFKA.clients(), topics.curatedPairs()))
                    .isGreaterThanOrEqualTo(good.size());
            assertThat(
                            TopicReader.readAll(
                                            KAFKA.clients(),
                                            topics.rejects(),
                                            AvroSerde.of(Reject.class))
                                    .stream()
                                    .map(r -> r.getStage() + ":" + r.getReason()))
                    .containsExactly("filter:duplicate");
        } finally {
            JobEnvironment.cancel(job, Duration.ofSeconds(60));
        }
    }
}
