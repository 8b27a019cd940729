package io.streamlip.tokenize;

import io.streamlip.filter.FilterConfig;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.PairCurator;
import io.streamlip.ingest.flink.JobEnvironment;
import io.streamlip.ingest.flink.JobSettings;
import io.streamlip.ingest.image.Images;
import io.streamlip.ingest.kafka.KafkaBroker;
import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PairProducer;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Throughput of filter + tokenize together on an in-process MiniCluster, at parallelism 1 and 2,
 * next to the plain-Java rates of the same per-record work on the same images. Not part of the
 * suite (the name does not end in Test); run it with
 *
 * <pre>
 * ./mvnw -B -o -pl tokenize -am test -Dtest=PipelineThroughputBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.records=3000
 * </pre>
 *
 * and read the figures in {@code
 * tokenize/target/surefire-reports/*PipelineThroughputBench-output.txt}.
 *
 * <p>Method: the job runs unbounded; a warm-up batch proves every operator is up, then the measured
 * batch is sent and the clock stops when its last example is committed (so the figure includes up
 * to one checkpoint interval of commit latency).
 */
class PipelineThroughputBench {
    static final int RECORDS = Integer.getInteger("bench.records", 3000);
    static final int WARMUP = 500;
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    @Test
    void measure() throws Exception {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(64).pairs(RECORDS, 1).forEachRemaining(pairs::add);
        List<byte[]> images = pairs.stream().map(p -> bytes(p.getImage())).toList();
        double meanBytes = images.stream().mapToInt(b -> b.length).average().orElse(0);
        report(
                "records %d, 64 px PNG, mean %.0f bytes; output 32 px RGB8_HWC; %d CPUs",
                RECORDS, meanBytes, Runtime.getRuntime().availableProcessors());

        plainJavaRates(pairs, images);
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            for (int parallelism : new int[] {1, 2}) {
                pipelineRates(broker, parallelism, pairs);
            }
        }
        plainJavaRates(pairs, images); // again, to see how much the machine's load moved
    }

    /** Each figure is the best of {@link #PASSES} passes: other processes share the CPUs. */
    static void plainJavaRates(List<RawPair> pairs, List<byte[]> images) throws Exception {
        ImagePreprocessor preprocessor = new ImagePreprocessor(32);
        report(
                "decode+resize (Images.decode + ImagePreprocessor, one thread): %.0f images/s",
                best(images.size(), () -> images.forEach(i -> process(preprocessor, i))));
        PairCurator curator = new PairCurator(FilterConfig.defaults());
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        report(
                "curate+build example, plain Java, one thread (the jobs' per-record work): %.0f records/s",
                best(
                        pairs.size(),
                        () -> {
                            for (RawPair pair : pairs) {
                                CuratedPair curated = curator.curate(pair, Instant.now()).value();
                                builder.build(curated).value();
                            }
                        }));
    }

    static final int PASSES = 3;

    static double best(int n, Runnable pass) {
        // Wall-clock best of passes; a single thread, so CPU and wall time agree on a quiet core.
        double best = 0;
        for (int i = 0; i < PASSES; i++) {
            long t = System.nanoTime();
            pass.run();
            best = Math.max(best, rate(n, t));
        }
        return best;
    }

    static void process(ImagePreprocessor preprocessor, byte[] image) {
        try {
            preprocessor.process(image);
        } catch (Images.UndecodableImageException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One unbounded job; a warm-up batch proves every operator is up, then two measured batches
     * (fresh ids each, so none is a duplicate), each timed until its last example is committed.
     */
    static void pipelineRates(KafkaBroker broker, int parallelism, List<RawPair> pairs)
            throws Exception {
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        PipelineTopics topics = PipelineTopics.defaults().withPrefix("bench-p" + parallelism + "-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        Path checkpoints = Files.createTempDirectory("streamlip-bench-cp");
        StreamExecutionEnvironment env =
                JobEnvironment.create(
                        JobSettings.defaults(checkpoints)
                                .withParallelism(parallelism)
                                .withCheckpointInterval(CHECKPOINT_INTERVAL));
        FilterJob.attach(env, kafka, topics, FilterConfig.defaults(), false);
        TokenizeJob.attach(env, kafka, topics, TokenizeConfig.defaults(), false);
        JobClient job = env.executeAsync("bench-p" + parallelism);
        try (CommittedCounter examples = new CommittedCounter(kafka, topics.examples())) {
            long expected = 0;
            for (String batch : List.of("warmup", "run1", "run2")) {
                List<RawPair> sent =
                        batch.equals("warmup")
                                ? relabel(pairs.subList(0, WARMUP), batch)
                                : relabel(pairs, batch);
                long t = System.nanoTime();
                long cpu = processCpuNanos();
                send(kafka, topics, sent);
                expected += sent.size();
                examples.await(expected, Duration.ofMinutes(10));
                if (!batch.equals("warmup")) {
                    report(
                            "filter+tokenize, MiniCluster, parallelism %d, %s: %.0f records/s;"
                                    + " JVM CPU (broker, producer, Flink) %.2f ms/record",
                            parallelism,
                            batch,
                            rate(sent.size(), t),
                            (processCpuNanos() - cpu) / 1e6 / sent.size());
                }
            }
        } finally {
            JobEnvironment.cancel(job, Duration.ofMinutes(1));
        }
    }

    /** The same pairs with other ids and captions, so the filter does not drop them as repeats. */
    static List<RawPair> relabel(List<RawPair> pairs, String batch) {
        return pairs.stream()
                .map(
                        p ->
                                RawPair.newBuilder(p)
                                        .setId(batch + "-" + p.getId())
                                        .setAltText(p.getAltText() + " " + batch)
                                        .build())
                .toList();
    }

    static void send(KafkaClients kafka, PipelineTopics topics, List<RawPair> pairs) {
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            pairs.forEach(producer::send);
        }
    }

    /** Counts committed records of a topic as they arrive, in a background thread. */
    static final class CommittedCounter implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        CommittedCounter(KafkaClients kafka, String topic) {
            thread =
                    new Thread(
                            () -> {
                                try (KafkaConsumer<byte[], byte[]> consumer =
                                        new KafkaConsumer<>(kafka.consumer("bench-counter"))) {
                                    List<TopicPartition> partitions =
                                            consumer.partitionsFor(topic).stream()
                                                    .map(
                                                            p ->
                                                                    new TopicPartition(
                                                                            topic, p.partition()))
                                                    .toList();
                                    consumer.assign(partitions);
                                    consumer.seekToBeginning(partitions);
                                    while (running.get()) {
                                        count.addAndGet(
                                                consumer.poll(Duration.ofMillis(50)).count());
                                    }
                                }
                            },
                            "bench-counter");
            thread.setDaemon(true);
            thread.start();
        }

        void await(long target, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count.get() < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + count.get() + " of " + target + " records after " + timeout);
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }

    /** CPU time of this JVM, all threads: robust to other processes sharing the machine. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double rate(int n, long startNanos) {
        return n / ((System.nanoTime() - startNanos) / 1e9);
    }

    static void report(String format, Object... args) {
        System.out.println("BENCH " + String.format(Locale.ROOT, format, args));
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
