package io.streamlip.tokenize;

import io.streamlip.filter.FilterConfig;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.PairCurator;
import io.streamlip.ingest.flink.JobEnvironment;
import io.streamlip.ingest.flink.JobSettings;
import io.streamlip.ingest.kafka.KafkaBroker;
import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PairProducer;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import java.io.ByteArrayInputStream;
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
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;
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
    static final int WARMUP = 50;
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    @Test
    void measure() throws Exception {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(64).pairs(RECORDS, 1).forEachRemaining(pairs::add);
        List<RawPair> warmup = new ArrayList<>();
        new SyntheticPairs(64).pairs(WARMUP, 2).forEachRemaining(warmup::add);
        List<byte[]> images = pairs.stream().map(p -> bytes(p.getImage())).toList();
        double meanBytes = images.stream().mapToInt(b -> b.length).average().orElse(0);
        report("records %d, 64 px PNG, mean %.0f bytes; output 32 px RGB8_HWC", RECORDS, meanBytes);

        plainJavaRates(pairs, images);
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            for (int parallelism : new int[] {1, 2}) {
                double rate = pipelineRate(broker, parallelism, warmup, pairs);
                report(
                        "filter+tokenize, MiniCluster, parallelism %d: %.0f records/s",
                        parallelism, rate);
            }
        }
        plainJavaRates(pairs, images); // again, to see how much the machine's load moved
    }

    static void plainJavaRates(List<RawPair> pairs, List<byte[]> images) throws Exception {
        ImagePreprocessor preprocessor = new ImagePreprocessor(32);
        for (byte[] image : images.subList(0, Math.min(300, images.size()))) {
            preprocessor.process(image); // warm-up
        }
        long t = System.nanoTime();
        for (byte[] image : images) {
            preprocessor.process(image);
        }
        report(
                "decode+resize (Images.decode, ImageIO default stream): %.0f images/s",
                rate(images.size(), t));

        t = System.nanoTime();
        for (byte[] image : images) {
            preprocessor.toRgb(
                    ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(image))));
        }
        report("decode+resize (in-memory ImageIO stream): %.0f images/s", rate(images.size(), t));

        PairCurator curator = new PairCurator(FilterConfig.defaults());
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        t = System.nanoTime();
        for (RawPair pair : pairs) {
            CuratedPair curated = curator.curate(pair, Instant.now()).value();
            builder.build(curated).value();
        }
        report(
                "curate+build example, plain Java, one thread (the pipeline's per-record work): %.0f records/s",
                rate(pairs.size(), t));
    }

    static double pipelineRate(
            KafkaBroker broker, int parallelism, List<RawPair> warmup, List<RawPair> pairs)
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
            send(kafka, topics, warmup);
            examples.await(warmup.size(), Duration.ofMinutes(3));
            long t = System.nanoTime();
            send(kafka, topics, pairs);
            examples.await(warmup.size() + pairs.size(), Duration.ofMinutes(10));
            return rate(pairs.size(), t);
        } finally {
            JobEnvironment.cancel(job, Duration.ofMinutes(1));
        }
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
