package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.image.WebImages;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The near-duplicate stages at web sizes under backpressure, on a MiniCluster with RocksDB and
 * checkpoints every 500 ms: 640 x 480 JPEG pairs as fast as a source can make them, a slow consumer
 * after the stages. Every pair comes out once whatever the join's heap bound, and after a failure
 * restored from a checkpoint taken with pairs waiting on the heap and in keyed state; the heap the
 * join's waiting pairs take stays under the bound. Prints the peaks ({@code -Djoin.records=N},
 * {@code -Djoin.sleepMicros=US}, {@code -Djoin.size=WxH} change the run).
 */
@Tag("integration")
class NearDuplicateJoinBackpressureTest {
    private static final int RECORDS = Integer.getInteger("join.records", 3000);
    private static final long SLEEP_MICROS = Long.getLong("join.sleepMicros", 2000);
    private static final String SIZE = System.getProperty("join.size", "640x480");
    private static final int TEMPLATES = 8;

    @BeforeAll
    static void trustSchemaClasses() {
        DecontaminateFunctionTest.trustSchemaClasses();
    }

    @Test
    void unboundedTheHeapHoldsWhatIsInFlight(@TempDir Path checkpoints) throws Exception {
        Map<String, Long> figures = run(checkpoints, Long.MAX_VALUE, false);
        assertThat(figures.get("toState")).isZero();
    }

    @Test
    void beyondASmallBoundPairsWaitInKeyedStateAndNoneIsLostOrRepeatedAcrossAFailure(
            @TempDir Path checkpoints) throws Exception {
        long bound = 2L << 20;
        Map<String, Long> figures = run(checkpoints, bound, true);
        assertThat(figures.get("peakBytesMax")).isLessThanOrEqualTo(bound);
        assertThat(figures.get("toState")).isPositive();
    }

    /**
     * Runs the stages with {@code maxPendingBytes} (failing once a quarter in, after a checkpoint,
     * if {@code failOnce}); checks every pair left once; the figures.
     */
    private static Map<String, Long> run(Path checkpoints, long maxPendingBytes, boolean failOnce)
            throws Exception {
        GaugeCapture.clear();
        JobSettings settings =
                JobSettings.defaults(checkpoints).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .build();
        Configuration configuration = JobEnvironment.configuration(settings);
        GaugeCapture.install(configuration);
        JobEnvironment.silenceMetricNameCollisions();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        FilterConfig config =
                FilterConfig.builder()
                        .nearDuplicates(
                                NearDuplicateConfig.builder()
                                        .maxPendingBytes(maxPendingBytes)
                                        .build())
                        .build();
        var pairs =
                env.fromSequence(0, RECORDS - 1)
                        .map(new WebPairs(templates()), CuratedEnvelope.typeInfo())
                        .name("web-pairs");
        long sleepNanos = TimeUnit.MICROSECONDS.toNanos(SLEEP_MICROS);
        var out =
                NearDuplicateStages.attach(pairs, config, "filter")
                        .map(
                                new SlowConsumer(sleepNanos, failOnce ? RECORDS / 4 : -1),
                                Types.STRING)
                        .name("slow-consumer");
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        try (CloseableIterator<String> it = out.executeAndCollect("join-backpressure")) {
            it.forEachRemaining(ids::add);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(ids).hasSize(RECORDS);
        assertThat(new HashSet<>(ids)).hasSize(RECORDS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (GaugeCapture.values("nearDuplicateJoinPeakPendingBytes").size() < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Map<String, Long> figures =
                Map.of(
                        "peakBytesMax", max("nearDuplicateJoinPeakPendingBytes"),
                        "peakBytesSum", sum("nearDuplicateJoinPeakPendingBytes"),
                        "peakPairsMax", max("nearDuplicateJoinPeakPendingPairs"),
                        "peakPairsSum", sum("nearDuplicateJoinPeakPendingPairs"),
                        "toState", sum("nearDuplicateJoinPairsToState"));
        System.out.printf(
                "join backpressure: %d pairs of %s JPEG, consumer %d us/pair, bound %s,"
                        + " %.1f s (%.0f pairs/s); peak waiting per task: max %d pairs / %.1f MiB,"
                        + " over both tasks %d pairs / %.1f MiB; %d pairs to keyed state%n",
                RECORDS,
                SIZE,
                SLEEP_MICROS,
                maxPendingBytes == Long.MAX_VALUE ? "none" : (maxPendingBytes >> 20) + " MiB",
                seconds,
                RECORDS / seconds,
                figures.get("peakPairsMax"),
                figures.get("peakBytesMax") / 1048576.0,
                figures.get("peakPairsSum"),
                figures.get("peakBytesSum") / 1048576.0,
                figures.get("toState"));
        assertThat(GaugeCapture.values("nearDuplicateJoinPeakPendingBytes")).hasSize(2);
        return figures;
    }

    private static long max(String name) {
        return GaugeCapture.values(name).values().stream()
                .mapToLong(Number::longValue)
                .max()
                .orElse(-1);
    }

    private static long sum(String name) {
        return GaugeCapture.values(name).values().stream().mapToLong(Number::longValue).sum();
    }

    /** Curated 640 x 480 photo-like JPEG pairs, encoded: what {@link WebPairs} copies. */
    private static List<byte[]> templates() {
        AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);
        List<byte[]> out = new ArrayList<>();
        var raws = new SyntheticPairs(32).pairs(TEMPLATES, 7);
        for (int i = 0; raws.hasNext(); i++) {
            String[] size = SIZE.split("x");
            byte[] jpeg =
                    WebImages.jpeg(
                            WebImages.Spec.plain(
                                    Integer.parseInt(size[0]), Integer.parseInt(size[1])),
                            i);
            RawPair raw = DecontaminateFunctionTest.withImage(raws.next(), "template-" + i, jpeg);
            CuratedEnvelope envelope = DecontaminateFunctionTest.envelope(raw, i);
            out.add(serde.encode(envelope.pair));
            out.add(envelope.thumbnail);
            out.add(envelope.source.value);
        }
        return out;
    }

    /**
     * Takes its time over each pair; in its first attempt, once a checkpoint completed and it saw
     * {@code failAfter} pairs (negative: never), fails the job once.
     */
    private static final class SlowConsumer extends RichMapFunction<CuratedPair, String>
            implements CheckpointListener {
        private final long sleepNanos;
        private final int failAfter;
        private transient int seen;
        private transient boolean checkpointed;

        SlowConsumer(long sleepNanos, int failAfter) {
            this.sleepNanos = sleepNanos;
            this.failAfter = failAfter;
        }

        @Override
        public String map(CuratedPair pair) {
            LockSupport.parkNanos(sleepNanos);
            if (++seen >= failAfter
                    && failAfter >= 0
                    && checkpointed
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                throw new IllegalStateException("failing once, as the test asks");
            }
            return pair.getPair().getId().toString();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    /**
     * Pair {@code i}: a copy of template {@code i % 8} with its own id, Kafka offset and a random
     * perceptual hash (so that the band buckets hold distinct images, as a crawl's would).
     */
    private static final class WebPairs extends RichMapFunction<Long, CuratedEnvelope> {
        private final List<byte[]> encoded;
        private transient List<CuratedPair> templates;

        WebPairs(List<byte[]> encoded) {
            this.encoded = encoded;
        }

        @Override
        public void open(OpenContext context) {
            DecontaminateFunctionTest.trustSchemaClasses();
            AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);
            templates = new ArrayList<>();
            for (int t = 0; t < encoded.size(); t += 3) {
                templates.add(serde.decode(encoded.get(t)));
            }
        }

        @Override
        public CuratedEnvelope map(Long i) {
            int t = (int) (i % templates.size());
            CuratedPair base = templates.get(t);
            String id = "pair-" + i;
            RawPair raw = RawPair.newBuilder(base.getPair()).setId(id).build();
            CuratedPair pair =
                    CuratedPair.newBuilder(base)
                            .setPair(raw)
                            .setPhash(new SplittableRandom(i).nextLong())
                            .build();
            return new CuratedEnvelope(
                    "key-" + i,
                    pair,
                    encoded.get(3 * t + 1),
                    new KafkaEnvelope(
                            id.getBytes(StandardCharsets.UTF_8),
                            encoded.get(3 * t + 2),
                            "raw-pairs",
                            0,
                            i,
                            i));
        }
    }
}
