package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.fetch.FetchStage;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code streamlip bench fetch-inline}: what the fetch stage costs records that carry their image
 * bytes, routed ({@link FetchStage#attach}: they leave the router at once) against every record
 * through the async operator ({@link FetchStage#attachUnrouted}, the stage before routing), in one
 * local Flink job each at parallelism 1, alternated in rounds in one run. A third job without the
 * stage gives the fixed cost (cluster start, source, sink) subtracted from both, after an untimed
 * round of all three (JVM warm-up). No fetch happens: every record carries {@value #IMAGE_BYTES}
 * bytes of image.
 */
public final class FetchInlineBenchmark implements Benchmark {
    static final int IMAGE_BYTES = 96 * 1024;
    private static final int DISTINCT = 64;
    private static final long WARM_UP_RECORDS = 5_000;

    @Override
    public String name() {
        return "fetch-inline";
    }

    @Override
    public String description() {
        return "CPU per record that carries its bytes: the routed fetch stage against every record"
                + " through the async operator";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        long records = options.limit() > 0 ? options.limit() : options.quick() ? 5_000 : 100_000;
        int rounds = options.quick() ? 1 : 3;
        List<byte[]> values = values();
        List<String> variants = List.of("none", "unrouted", "routed");
        double[][] cpuNanos = new double[variants.size()][rounds];
        double[][] wallNanos = new double[variants.size()][rounds];
        // An untimed round first: else the first job timed (none) carries the JVM's warm-up
        // (class loading, JIT), costs more than the wirings, and every stage figure comes out
        // below zero (a quick run used to print only zeros).
        for (String variant : variants) {
            runJob(variant, values, Math.min(records, WARM_UP_RECORDS));
        }
        for (int round = 0; round < rounds; round++) {
            for (int v = 0; v < variants.size(); v++) {
                long cpu0 = processCpuNanos();
                long wall0 = System.nanoTime();
                runJob(variants.get(v), values, records);
                wallNanos[v][round] = System.nanoTime() - wall0;
                cpuNanos[v][round] = processCpuNanos() - cpu0;
            }
        }
        BenchResult result =
                new BenchResult(
                        "fetch-inline: "
                                + records
                                + " records with "
                                + IMAGE_BYTES
                                + "-byte images, best of "
                                + rounds,
                        List.of(
                                "wiring",
                                "job CPU s",
                                "job wall s",
                                "stage CPU us/record",
                                "stage wall us/record"));
        double noneCpu = min(cpuNanos[0]);
        double noneWall = min(wallNanos[0]);
        double[] stageCpu = new double[variants.size()];
        for (int v = 0; v < variants.size(); v++) {
            double cpu = min(cpuNanos[v]);
            double wall = min(wallNanos[v]);
            // Signed: a stage cheaper than the noise of the fixed cost shows as below zero.
            stageCpu[v] = (cpu - noneCpu) / records / 1e3;
            result.row(
                    variants.get(v),
                    fixed(cpu / 1e9, 2),
                    fixed(wall / 1e9, 2),
                    v == 0 ? "-" : fixed(stageCpu[v], 2),
                    v == 0 ? "-" : fixed((wall - noneWall) / records / 1e3, 2));
            result.put("cpu_seconds_" + variants.get(v), cpu / 1e9);
            result.put("wall_seconds_" + variants.get(v), wall / 1e9);
        }
        result.put("stage_cpu_us_per_record_unrouted", stageCpu[1]);
        result.put("stage_cpu_us_per_record_routed", stageCpu[2]);
        result.note(
                "none: source and sink alone; stage = the wiring minus none (below zero: within"
                        + " the noise of the fixed cost); an untimed round of each wiring first;"
                        + " process CPU (all threads, the cluster's start included, subtracted"
                        + " with none); "
                        + Runtime.getRuntime().availableProcessors()
                        + " CPUs, so other load on the machine changes the figures: compare"
                        + " the rows of one run");
        return result;
    }

    private static void runJob(String variant, List<byte[]> values, long records) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true); // as the jobs run (JobEnvironment)
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        ArrayList<byte[]> pool = new ArrayList<>(values);
        DataStream<KafkaEnvelope> raw =
                env.fromSequence(0, records - 1)
                        .map(
                                i ->
                                        new KafkaEnvelope(
                                                null,
                                                pool.get((int) (i % pool.size())),
                                                "raw-pairs",
                                                0,
                                                i,
                                                0))
                        .returns(TypeInformation.of(KafkaEnvelope.class));
        FilterConfig config = FilterConfig.defaults();
        switch (variant) {
            case "none" -> raw.sinkTo(new DiscardingSink<>());
            case "unrouted" ->
                    FetchStage.attachUnrouted(raw, config, "bench").sinkTo(new DiscardingSink<>());
            case "routed" -> {
                FetchStage.Routed routed = FetchStage.attach(raw, config, "bench");
                routed.carried().sinkTo(new DiscardingSink<>());
                routed.fetched().sinkTo(new DiscardingSink<>());
            }
            default -> throw new IllegalArgumentException(variant);
        }
        env.execute("bench-fetch-inline-" + variant);
    }

    private static List<byte[]> values() {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        Random random = new Random(17);
        List<byte[]> out = new ArrayList<>();
        var pairs = new SyntheticPairs(32).pairs(DISTINCT, 23);
        while (pairs.hasNext()) {
            byte[] image = new byte[IMAGE_BYTES];
            random.nextBytes(image);
            RawPair pair =
                    RawPair.newBuilder(pairs.next()).setImage(ByteBuffer.wrap(image)).build();
            out.add(serde.encode(pair));
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double min(double[] values) {
        double m = Double.MAX_VALUE;
        for (double v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static String fixed(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }
}
