package io.streamlip.filter.fetch;

import static io.streamlip.filter.fetch.LocalImageServer.send;
import static io.streamlip.filter.fetch.LocalImageServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-host limits on a MiniCluster against a loopback server, which counts the requests in
 * progress per host named ({@code 127.0.0.1} and {@code localhost} are two hosts of one server).
 *
 * <ul>
 *   <li>At parallelism 2, with one host's pairs spread over both router tasks, the server never
 *       sees more than the limit (without the partitioning by host each task's limiter would let
 *       the limit through, twice).
 *   <li>A redirect to a host another task owns takes this task's share of that host's limits: the
 *       host sees at most its limit plus the share; refused as {@code fetch_cross_host}, it sees at
 *       most its limit.
 *   <li>After a restore at another parallelism from a savepoint taken with fetches in flight, the
 *       restored records are fetched again, each once, and a host sees at most its limit from its
 *       own task plus the share of the task its records were restored into.
 * </ul>
 */
@Tag("integration")
class FetchHostLimitJobTest {
    private static final int PER_HOST = 2;

    /** Small enough that at parallelism 2 the two loopback host names fall in different tasks. */
    private static final int MAX_PARALLELISM = 16;

    private static final String HOST_A = "127.0.0.1";
    private static final String HOST_B = "localhost";

    private final AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
    private LocalImageServer server;
    private final Map<String, byte[]> images = new ConcurrentHashMap<>();
    private final AtomicBoolean hold = new AtomicBoolean();
    private final CountDownLatch released = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = new LocalImageServer(48);
        server.on(
                "/img/",
                x -> {
                    if (hold.get()) {
                        released.await(300, TimeUnit.SECONDS);
                    }
                    Thread.sleep(150); // requests overlap
                    String id = x.getRequestURI().getPath().substring("/img/".length());
                    send(x, "image/png", images.get(id));
                });
        // A redirect from HOST_A to the same image on HOST_B.
        server.on(
                "/to-b/",
                x -> {
                    String id = x.getRequestURI().getPath().substring("/to-b/".length());
                    status(x, 302, "Location", server.url(HOST_B, "/img/" + id));
                });
    }

    @AfterEach
    void stop() throws Exception {
        released.countDown();
        server.close();
    }

    @Test
    void theHostLimitHoldsAcrossParallelTasks() throws Exception {
        List<KafkaEnvelope> envelopes = urlOnlyPairs(24, i -> server.url("/img/"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        var raw =
                env.fromData(envelopes, TypeInformation.of(KafkaEnvelope.class))
                        .rebalance(); // both router tasks see pairs of the host
        FetchStage.Routed routed = FetchStage.attach(raw, config(PER_HOST, 16), "test");
        routed.carried().sinkTo(new DiscardingSink<>());
        List<KafkaEnvelope> fetched = routed.fetched().executeAndCollect(100);

        assertThat(fetched).hasSize(envelopes.size());
        for (KafkaEnvelope e : fetched) {
            RawPair pair = serde.decode(e.value);
            assertThat(pair.getImage().remaining()).isEqualTo(images.get(pair.getId()).length);
        }
        assertThat(server.mostAtOnce()).isEqualTo(PER_HOST);
    }

    @Test
    void aRedirectToAnotherTasksHostTakesOnlyThisTasksShareOfIt() throws Exception {
        assertTheHostsFallInDifferentTasks(2);
        int perHost = 4;
        // Half the pairs name HOST_B, half HOST_A, which redirects each to HOST_B.
        List<KafkaEnvelope> envelopes =
                urlOnlyPairs(
                        32, i -> i % 2 == 0 ? server.url(HOST_B, "/img/") : server.url("/to-b/"));
        List<String> outcomes = run(envelopes, config(perHost, 32));

        assertThat(outcomes).hasSize(envelopes.size()).allMatch(o -> o.startsWith("fetched "));
        // HOST_B's own task holds 4; HOST_A's task follows its redirects with 4 / 2 = 2.
        int share = HostLimiter.HostShare.slots(perHost, 2);
        assertThat(server.mostAtOnce(HOST_B)).isBetween(perHost, perHost + share);
        assertThat(server.hits("/img/")).isEqualTo(envelopes.size());
    }

    @Test
    void aRefusedCrossHostRedirectKeepsTheOtherHostsLimitExact() throws Exception {
        assertTheHostsFallInDifferentTasks(2);
        int perHost = 4;
        List<KafkaEnvelope> envelopes =
                urlOnlyPairs(
                        32, i -> i % 2 == 0 ? server.url(HOST_B, "/img/") : server.url("/to-b/"));
        FilterConfig refuse = config(perHost, 32);
        refuse =
                refuse.toBuilder()
                        .fetch(
                                refuse.fetch().toBuilder()
                                        .crossHost(FetchConfig.CrossHost.REFUSE)
                                        .build())
                        .build();
        List<String> outcomes = run(envelopes, refuse);

        assertThat(outcomes).hasSize(envelopes.size());
        assertThat(outcomes.stream().filter(o -> o.startsWith("fetched "))).hasSize(16);
        assertThat(outcomes.stream().filter(o -> o.startsWith("rejected fetch_cross_host ")))
                .hasSize(16);
        assertThat(server.mostAtOnce(HOST_B)).isEqualTo(perHost);
        assertThat(server.hits("/img/")).isEqualTo(16);
    }

    @Test
    void aRestoreAtAnotherParallelismRefetchesEachRecordOnceWithinTheLimits(
            @TempDir Path savepoints) throws Exception {
        assertTheHostsFallInDifferentTasks(2);
        int perHost = 4;
        List<KafkaEnvelope> envelopes =
                urlOnlyPairs(
                        24, i -> i % 2 == 0 ? server.url("/img/") : server.url(HOST_B, "/img/"));
        FilterConfig base = config(perHost, 32); // every record fits in the async queue
        // No held request times out or is retried while job 1 waits for its savepoint.
        FilterConfig config =
                base.toBuilder()
                        .fetch(
                                base.fetch().toBuilder()
                                        .readTimeout(Duration.ofMinutes(5))
                                        .totalTimeout(Duration.ofMinutes(10))
                                        .maxRetries(0)
                                        .build())
                        .build();

        // Job 1, one task: the server holds every request, so all 24 records are in flight
        // (4 per host at the server, the rest waiting for a slot) when the savepoint is taken.
        hold.set(true);
        StreamExecutionEnvironment first = environment(1, new Configuration());
        DataStream<KafkaEnvelope> raw1 = endlessSource(first, envelopes);
        FetchStage.Routed routed1 = FetchStage.attach(raw1, config, "test");
        sinks(routed1).sinkTo(new DiscardingSink<>()).uid("test-sink");
        JobClient job1 = first.executeAsync("fetch-rescale-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (server.running() < 2 * perHost && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.running()).isEqualTo(2 * perHost);
        String savepoint =
                job1.triggerSavepoint(savepoints.toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);
        job1.cancel().get(60, TimeUnit.SECONDS);
        while (!ended(job1) && System.nanoTime() < deadline) {
            Thread.sleep(50); // its fetcher closed: none of its requests goes on
        }
        int heldRequests = server.hits("/img/");
        hold.set(false);
        released.countDown();
        while (server.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // job 1's held requests end (their client is gone)
        }
        server.resetMostAtOnce();

        // Job 2, two tasks, from the savepoint: the async operator's records are split over
        // both tasks, so each task holds records of the host the other owns.
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        StreamExecutionEnvironment second = environment(2, restore);
        DataStream<KafkaEnvelope> raw2 = endlessSource(second, envelopes);
        FetchStage.Routed routed2 = FetchStage.attach(raw2, config, "test");
        // The first 24 outcomes: a pair lost or fetched twice leaves an id out.
        List<String> outcomes = sinks(routed2).executeAndCollect(envelopes.size());

        assertThat(heldRequests).isEqualTo(2 * perHost);
        assertThat(outcomes)
                .containsExactlyInAnyOrderElementsOf(
                        envelopes.stream()
                                .map(e -> "fetched " + serde.decode(e.value).getId())
                                .toList());
        assertThat(server.hits("/img/")).isEqualTo(heldRequests + envelopes.size());
        int share = HostLimiter.HostShare.slots(perHost, 2);
        assertThat(server.mostAtOnce(HOST_A)).isBetween(1, perHost + share);
        assertThat(server.mostAtOnce(HOST_B)).isBetween(1, perHost + share);
    }

    private static boolean ended(JobClient job) {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (Exception e) {
            return true; // its cluster is gone
        }
    }

    /** The test's premise: at {@code parallelism}, HOST_A and HOST_B are owned by two tasks. */
    private static void assertTheHostsFallInDifferentTasks(int parallelism) {
        assertThat(
                        KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                HOST_A, MAX_PARALLELISM, parallelism))
                .isNotEqualTo(
                        KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                HOST_B, MAX_PARALLELISM, parallelism));
    }

    private List<String> run(List<KafkaEnvelope> envelopes, FilterConfig config) throws Exception {
        StreamExecutionEnvironment env = environment(2, new Configuration());
        DataStream<KafkaEnvelope> raw = source(env, envelopes).rebalance();
        return sinks(FetchStage.attach(raw, config, "test")).executeAndCollect(100);
    }

    private static StreamExecutionEnvironment environment(int parallelism, Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(MAX_PARALLELISM);
        return env;
    }

    private static DataStream<KafkaEnvelope> source(
            StreamExecutionEnvironment env, List<KafkaEnvelope> envelopes) {
        return env.fromData(envelopes, TypeInformation.of(KafkaEnvelope.class))
                .uid("test-source")
                .setParallelism(1);
    }

    /**
     * {@code envelopes}, then records that carry their bytes (the router passes them by) without
     * end: a source that finished would make the async operator wait for its fetches (its end of
     * input) before any savepoint.
     */
    private static DataStream<KafkaEnvelope> endlessSource(
            StreamExecutionEnvironment env, List<KafkaEnvelope> envelopes) {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        RawPair pair = new SyntheticPairs(32).pairs(1, 5).next();
        ArrayList<byte[]> first = new ArrayList<>();
        envelopes.forEach(e -> first.add(e.value));
        byte[] inline = serde.encode(pair);
        GeneratorFunction<Long, KafkaEnvelope> records =
                i ->
                        new KafkaEnvelope(
                                null,
                                i < first.size() ? first.get(i.intValue()) : inline,
                                "raw-pairs",
                                0,
                                i,
                                0);
        return env.fromSource(
                        new DataGeneratorSource<>(
                                records,
                                Long.MAX_VALUE,
                                RateLimiterStrategy.perSecond(50),
                                TypeInformation.of(KafkaEnvelope.class)),
                        WatermarkStrategy.noWatermarks(),
                        "endless")
                .uid("test-endless-source")
                .setParallelism(1);
    }

    /** "fetched ID" per fetched pair, "rejected REASON ID" per reject; the carried discarded. */
    private DataStream<String> sinks(FetchStage.Routed routed) {
        routed.carried().sinkTo(new DiscardingSink<>()).uid("test-carried-sink");
        AvroSerde<RawPair> pairs = AvroSerde.of(RawPair.class);
        DataStream<String> fetched =
                routed.fetched()
                        .map(e -> "fetched " + pairs.decode(e.value).getId(), Types.STRING)
                        .uid("test-fetched-ids");
        DataStream<String> rejected =
                routed.fetched()
                        .getSideOutput(EnvelopeStage.rejects("test"))
                        .map(
                                (Reject r) -> "rejected " + r.getReason() + " " + r.getId(),
                                Types.STRING)
                        .uid("test-rejected-ids");
        return fetched.union(rejected);
    }

    private FilterConfig config(int perHost, int inFlight) {
        return FilterConfig.builder()
                .fetch(
                        FetchConfig.builder()
                                // localhost may also resolve to ::1
                                .allowedNetworks(List.of("127.0.0.0/8", "::1/128"))
                                .perHostConcurrency(perHost)
                                .maxInFlight(inFlight)
                                .build())
                .build();
    }

    /** {@code count} url-only pairs, the i-th at {@code base.apply(i) + id}. */
    private List<KafkaEnvelope> urlOnlyPairs(
            int count, java.util.function.IntFunction<String> base) {
        List<KafkaEnvelope> envelopes = new ArrayList<>();
        var pairs = new SyntheticPairs(32).pairs(count, 3);
        for (int i = 0; pairs.hasNext(); i++) {
            RawPair p = pairs.next();
            byte[] image = new byte[p.getImage().remaining()];
            p.getImage().duplicate().get(image);
            images.put(p.getId(), image);
            RawPair urlOnly =
                    RawPair.newBuilder(p)
                            .setImage((ByteBuffer) null)
                            .setImageUrl(base.apply(i) + p.getId())
                            .build();
            envelopes.add(new KafkaEnvelope(null, serde.encode(urlOnly), "raw-pairs", 0, i, 0));
        }
        return envelopes;
    }
}
