package io.streamlip.filter;

import static io.streamlip.filter.fetch.LocalImageServer.send;
import static io.streamlip.filter.fetch.LocalImageServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.fetch.FetchConfig;
import io.streamlip.filter.fetch.FetchStage;
import io.streamlip.filter.fetch.LocalImageServer;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter job fetching url-only pairs from a local HTTP server on a MiniCluster against a real
 * broker: fetched images are curated like inline ones, failed fetches are rejects of stage {@code
 * fetch}, and a restart with fetches in flight loses and duplicates nothing.
 */
@Tag("integration")
class FetchJobTest {
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();

    /** Whether the injected failure happened (once per JVM). */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private LocalImageServer server;
    private final Map<String, byte[]> images = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = new LocalImageServer(32);
        server.on(
                "/img/",
                x -> {
                    Thread.sleep(150); // fetches overlap and are in flight at checkpoints
                    String id = x.getRequestURI().getPath().substring("/img/".length());
                    byte[] image = images.get(id);
                    if (image == null) {
                        status(x, 404);
                    } else {
                        send(x, "image/png", image);
                    }
                });
        server.on("/private/", x -> send(x, "text/html", "<html>".getBytes()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void fetchedImagesAreCuratedAndFailedFetchesRejected(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("fetch-job-");
        List<RawPair> pairs = urlOnly(12, 31);
        RawPair inline = new SyntheticPairs(32).pairs(1, 99).next();
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            pairs.forEach(producer::send);
            producer.send(inline);
            producer.send(withUrl(pairs.get(0), "missing", server.url("/img/missing")));
            producer.send(withUrl(pairs.get(1), "html", server.url("/private/page")));
        }
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
                config(),
                FilterJob.Options.builder().bounded(true).build());
        env.execute("fetch-job-test");

        List<CuratedPair> curated =
                TopicReader.readAll(
                        KAFKA.clients(), topics.curatedPairs(), AvroSerde.of(CuratedPair.class));
        List<String> expected = new ArrayList<>(ids(pairs));
        expected.add(inline.getId());
        assertThat(curated.stream().map(c -> c.getPair().getId()))
                .containsExactlyInAnyOrderElementsOf(expected);
        for (CuratedPair c : curated) {
            if (!c.getPair().getId().equals(inline.getId())) {
                assertThat(c.getPair().getImageUrl()).startsWith(server.url("/img/"));
                assertThat(c.getPair().getImage().remaining())
                        .isEqualTo(images.get(c.getPair().getId()).length);
                assertThat(c.getImageFormat()).isEqualTo("png");
            }
        }
        List<Reject> rejects =
                TopicReader.readAll(KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class));
        assertThat(rejects.stream().map(r -> r.getStage() + ":" + r.getReason() + ":" + r.getId()))
                .containsExactlyInAnyOrder(
                        FetchStage.STAGE + ":fetch_http_4xx:missing",
                        FetchStage.STAGE + ":fetch_content_type:html");
        // The reject carries the original record, URL and all, to replay.
        Reject missing =
                rejects.stream().filter(r -> r.getId().equals("missing")).findFirst().orElseThrow();
        byte[] payload = new byte[missing.getPayload().remaining()];
        missing.getPayload().duplicate().get(payload);
        assertThat(AvroSerde.of(RawPair.class).decode(payload).getImageUrl())
                .isEqualTo(server.url("/img/missing"));
    }

    @Test
    void aRestartWithFetchesInFlightLosesAndDuplicatesNothing(@TempDir Path checkpoints)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics("fetch-restart-");
        List<RawPair> pairs = urlOnly(40, 57);
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            pairs.forEach(producer::send);
        }
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(200))
                        .restartPolicy(RestartPolicy.fixed(2, Duration.ofMillis(200)))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        FilterJob.attach(
                        env,
                        KAFKA.clients(),
                        topics,
                        config(),
                        FilterJob.Options.builder().bounded(true).build())
                .map(new FailOnceAfterACheckpoint(8), EnvelopeStage.avroType(CuratedPair.class))
                .name("fail-once")
                .sinkTo(new DiscardingSink<>());
        env.execute("fetch-restart-test");

        assertThat(FAILED).isTrue();
        List<String> curated =
                TopicReader.readAll(
                                KAFKA.clients(),
                                topics.curatedPairs(),
                                AvroSerde.of(CuratedPair.class))
                        .stream()
                        .map(c -> c.getPair().getId())
                        .toList();
        assertThat(curated).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids(pairs));
        assertThat(
                        TopicReader.readAll(
                                KAFKA.clients(), topics.rejects(), AvroSerde.of(Reject.class)))
                .isEmpty();
        // Some images were fetched twice: the attempt that failed had them in flight or unsaved.
        assertThat(server.hits("/img/")).isGreaterThan(pairs.size());
    }

    /** Loopback allowed (the server is there); the rest are the defaults. */
    private static FilterConfig config() {
        return FilterConfig.builder()
                .fetch(
                        FetchConfig.builder()
                                .allowedNetworks(List.of("127.0.0.0/8"))
                                .maxInFlight(16)
                                .build())
                .build();
    }

    /** {@code n} synthetic pairs with their images served here and only their URLs carried. */
    private List<RawPair> urlOnly(int n, long seed) {
        List<RawPair> out = new ArrayList<>();
        new SyntheticPairs(32)
                .pairs(n, seed)
                .forEachRemaining(
                        p -> {
                            byte[] image = new byte[p.getImage().remaining()];
                            p.getImage().duplicate().get(image);
                            images.put(p.getId(), image);
                            out.add(withUrl(p, p.getId(), server.url("/img/" + p.getId())));
                        });
        return out;
    }

    private static RawPair withUrl(RawPair p, String id, String url) {
        return RawPair.newBuilder(p).setId(id).setImage((ByteBuffer) null).setImageUrl(url).build();
    }

    private static List<String> ids(List<RawPair> pairs) {
        return pairs.stream().map(RawPair::getId).toList();
    }

    /** Fails the job once after {@code after} curated pairs, preferably after a checkpoint. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<CuratedPair, CuratedPair>
            implements CheckpointListener {
        private final int after;
        private int seen;
        private boolean checkpointed;

        FailOnceAfterACheckpoint(int after) {
            this.after = after;
        }

        @Override
        public void open(OpenContext context) {
            seen = 0;
        }

        @Override
        public CuratedPair map(CuratedPair value) {
            seen++;
            boolean due = (seen >= after / 2 && checkpointed) || seen >= after;
            if (due && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
