package io.streamlip.bench;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.flink.JobEnvironment;
import io.streamlip.ingest.flink.JobSettings;
import io.streamlip.ingest.image.Images;
import io.streamlip.ingest.kafka.KafkaBroker;
import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PairProducer;
import io.streamlip.ingest.kafka.PipelineSources;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.sinks.KafkaSinks;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.FileUtils;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench datapath}: records/s of the filter and tokenize jobs together on a Flink
 * MiniCluster against the in-process broker, at parallelism 1 and 2, beside the limit of the same
 * machine: decoding and resizing the same images in plain Java, in one thread and in two, in the
 * same run. Then the same on a relay ({@link #attachRelay}): the jobs' two exactly-once Kafka hops
 * with no stage between, what the plumbing costs before any curation or tokenization.
 *
 * <p>After {@link #WARMUP_BATCHES} warm-up batches, one stream of {@link #MEASURED_COPIES} copies
 * of the pairs is sent at once; its steady rate counts the records committed from the first commit
 * to the last, beside the end-to-end rate and the JVM CPU per record by thread group ({@link
 * ThreadCpu}). Why this method: docs/decisions/datapath-benchmark.md.
 */
public final class DatapathBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(DatapathBenchmark.class);

    /**
     * The jobs' checkpoint interval: 1 s, the benchmark's stated method (the exactly-once sinks
     * commit on checkpoints, so a shorter interval shows records sooner and costs more). The system
     * property {@value #CHECKPOINT_PROPERTY} (milliseconds) measures another, e.g. the jobs'
     * default of 5 s; the note says which was used.
     */
    static final String CHECKPOINT_PROPERTY = "streamlip.bench.datapath.checkpoint-ms";

    private static final Duration CHECKPOINT_INTERVAL =
            Duration.ofMillis(Long.getLong(CHECKPOINT_PROPERTY, 1000));
    private static final int PASSES = 3;
    private static final int[] PARALLELISMS = {1, 2};

    /**
     * Warm-up batches before the measured stream (system property {@value #WARMUP_PROPERTY},
     * default 12; 1 with {@code --quick}): enough for the JIT to settle, since the steady state is
     * the figure that matters (docs/decisions/datapath-benchmark.md). What is left shows in the
     * column {@code of which JIT}.
     */
    static final String WARMUP_PROPERTY = "streamlip.bench.datapath.warmup-batches";

    private static final int WARMUP_BATCHES = 12;

    /**
     * Side of the synthetic source images in pixels (system property {@value #IMAGE_SIZE_PROPERTY},
     * default 64: icon-sized, like the emoji corpus). With small images the jobs' cost per record
     * (Kafka, Flink, state) outweighs decoding; a web-sized image (e.g. 384) shows the other end.
     */
    static final String IMAGE_SIZE_PROPERTY = "streamlip.bench.datapath.image-size";

    /**
     * Side of the examples' images (system property {@value #EXAMPLE_SIZE_PROPERTY}, default the
     * tokenize job's, 32: the CPU demo's; 224 is B/16's), for the jobs and the limit alike.
     */
    static final String EXAMPLE_SIZE_PROPERTY = "streamlip.bench.datapath.example-size";

    /**
     * Pairs per batch (system property {@value #RECORDS_PROPERTY}, default 3,000; 600 with {@code
     * --quick}): each warm-up batch sends them once, the measured stream {@link #MEASURED_COPIES}
     * times. Fewer suit large images, whose batches take longer.
     */
    static final String RECORDS_PROPERTY = "streamlip.bench.datapath.records";

    /**
     * The measured stream: this many relabelled copies of the pairs, sent back to back (system
     * property {@value #MEASURED_PROPERTY}, default 10; 3 with {@code --quick}), so that the rate
     * is taken over many checkpoint intervals of steady processing
     * (docs/decisions/datapath-benchmark.md).
     */
    static final String MEASURED_PROPERTY = "streamlip.bench.datapath.measured-copies";

    private static final int MEASURED_COPIES = 10;

    /**
     * The filter's defaults without the near-duplicate cluster cap: the synthetic shapes repeat (48
     * shape-colour classes), so the default cap of 64 would refuse most of the measured pairs after
     * their near-duplicate lookups, in an order-dependent share.
     */
    static final FilterConfig FILTER =
            FilterConfig.builder()
                    .nearDuplicates(
                            NearDuplicateConfig.builder().clusterCap(Integer.MAX_VALUE).build())
                    .build();

    @Override
    public String name() {
        return "datapath";
    }

    @Override
    public String description() {
        return "filter+tokenize records/s at parallelism 1 and 2 vs the decode+resize limit";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        int records = Integer.getInteger(RECORDS_PROPERTY, options.quick() ? 600 : 3000);
        // As large as a measured batch: the first job in this JVM still compiles the Flink,
        // Kafka and RocksDB paths while it runs, and parallelism 2 would profit from what
        // parallelism 1 paid for (docs/decisions/datapath-benchmark.md).
        int warmup = records;
        int imageSize = Integer.getInteger(IMAGE_SIZE_PROPERTY, 64);
        TokenizeConfig tokenize =
                TokenizeConfig.builder()
                        .imageSize(
                                Integer.getInteger(
                                        EXAMPLE_SIZE_PROPERTY,
                                        TokenizeConfig.defaults().imageSize()))
                        .build();
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(imageSize).pairs(records, 1).forEachRemaining(pairs::add);
        List<byte[]> images = pairs.stream().map(p -> bytes(p.getImage())).toList();

        BenchResult result =
                new BenchResult(
                        "datapath: filter + tokenize on a MiniCluster",
                        List.of(
                                "measure",
                                "records/s",
                                "end to end",
                                "JVM CPU ms/record",
                                "of which JIT",
                                "refused"));
        int cores = Runtime.getRuntime().availableProcessors();
        // Parallelism 2 is set against the limit in as many threads (fewer on a 1-core machine).
        int pairThreads = Math.min(2, cores);
        double limit = decodeResizeRate(images, tokenize.imageSize(), 1);
        result.row("decode+resize limit (plain Java, 1 thread)", limit, "", "", "", "");
        double limitTwoThreads = decodeResizeRate(images, tokenize.imageSize(), pairThreads);
        result.row(
                "decode+resize limit (plain Java, " + pairThreads + " threads)",
                limitTwoThreads,
                "",
                "",
                "",
                "");
        double plainWork = curateAndBuildRate(pairs, tokenize);
        result.row("curate+build example (plain Java, 1 thread)", plainWork, "", "", "", "");
        // Where the plain classes' time goes (bench curation-cost has the same on emoji pairs).
        List<CurationCost.Step> cost =
                (options.quick() ? new CurationCost(1) : CurationCost.defaults())
                        .measure(pairs, FILTER, tokenize);

        int warmupBatches =
                Integer.getInteger(WARMUP_PROPERTY, options.quick() ? 1 : WARMUP_BATCHES);
        int measuredCopies =
                Integer.getInteger(MEASURED_PROPERTY, options.quick() ? 3 : MEASURED_COPIES);
        Wiring jobs =
                (env, kafka, topics) -> {
                    FilterJob.attach(env, kafka, topics, FILTER, FilterJob.Options.defaults());
                    TokenizeJob.attach(env, kafka, topics, tokenize, false);
                };
        Map<Integer, PipelineFigures> pipeline = new LinkedHashMap<>();
        Map<Integer, PipelineFigures> relay = new LinkedHashMap<>();
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            for (int parallelism : PARALLELISMS) {
                pipeline.put(
                        parallelism,
                        pipelineRate(
                                broker,
                                "p" + parallelism,
                                jobs,
                                parallelism,
                                pairs,
                                warmup,
                                warmupBatches,
                                measuredCopies));
            }
            // The same two exactly-once hops carrying the same bytes, with no stage doing work:
            // what Kafka and Flink alone cost a record here, and so the most any jobs on these
            // hops can reach on this machine.
            for (int parallelism : PARALLELISMS) {
                relay.put(
                        parallelism,
                        pipelineRate(
                                broker,
                                "relay-p" + parallelism,
                                DatapathBenchmark::attachRelay,
                                parallelism,
                                pairs,
                                warmup,
                                warmupBatches,
                                measuredCopies));
            }
        }
        for (var e : pipeline.entrySet()) {
            int parallelism = e.getKey();
            PipelineFigures figures = e.getValue();
            row(result, "filter+tokenize, parallelism " + parallelism, figures);
            result.put("cpu_ms_per_record_by_thread_p" + parallelism, figures.split())
                    .put("refused_p" + parallelism, figures.refused())
                    .put(
                            "parallelism_" + parallelism + "_end_to_end_records_per_s",
                            figures.endToEndRate())
                    .note(
                            "parallelism "
                                    + parallelism
                                    + ", CPU ms/record by thread group: "
                                    + figures(figures.split(), "%.2f", "; ", 0.01));
        }
        for (var e : relay.entrySet()) {
            int parallelism = e.getKey();
            PipelineFigures figures = e.getValue();
            row(
                    result,
                    "Kafka relay (the same 2 exactly-once hops, no work), parallelism "
                            + parallelism,
                    figures);
            result.put("relay_p" + parallelism + "_records_per_s", figures.steadyRate())
                    .put("relay_cpu_ms_per_record_p" + parallelism, figures.cpuMsPerRecord())
                    .put("relay_cpu_ms_per_record_by_thread_p" + parallelism, figures.split());
        }
        double limitAfter = decodeResizeRate(images, tokenize.imageSize(), 1);
        result.row(
                "decode+resize limit, 1 thread, again after the jobs", limitAfter, "", "", "", "");
        double limitTwoThreadsAfter = decodeResizeRate(images, tokenize.imageSize(), pairThreads);
        result.row(
                "decode+resize limit, " + pairThreads + " threads, again after the jobs",
                limitTwoThreadsAfter,
                "",
                "",
                "",
                "");

        // The limit is a ceiling: the faster of the two measurements. The first runs in a cold
        // JVM.
        double bestLimit = Math.max(limit, limitAfter);
        double bestLimitTwoThreads = Math.max(limitTwoThreads, limitTwoThreadsAfter);
        result.note(
                "plain classes, CPU us/record by step: "
                        + figures(CurationCost.asMap(cost), "%.1f", ", ", 0));
        result.put("records", records)
                .put("image_size", imageSize)
                .put("example_size", tokenize.imageSize())
                .put("warmup_batches", warmupBatches)
                .put("measured_copies", measuredCopies)
                .put("plain_cost_us_per_record", CurationCost.asMap(cost))
                .put("limit_records_per_s", bestLimit)
                .put("limit_2_threads_records_per_s", bestLimitTwoThreads)
                .put("parallelism_1_records_per_s", pipeline.get(1).steadyRate())
                .put("parallelism_2_records_per_s", pipeline.get(2).steadyRate())
                .put("fraction_of_limit_p1", pipeline.get(1).steadyRate() / bestLimit)
                .put(
                        "fraction_of_2_thread_limit_p2",
                        pipeline.get(2).steadyRate() / bestLimitTwoThreads)
                .put(
                        "scaling_p2_over_p1",
                        pipeline.get(2).steadyRate() / pipeline.get(1).steadyRate())
                .note(
                        String.format(
                                java.util.Locale.ROOT,
                                "%d synthetic %d px PNG pairs -> %d px RGB examples, each with a"
                                        + " caption of its own, near-duplicate cluster cap lifted;"
                                        + " %d CPUs; checkpoints every %d ms; %d warm-up batches, %d measured;"
                                        + " records/s from the first commit of the measured"
                                        + " stream to its last (end to end: from the first send,"
                                        + " commit latency included); fraction of the 1-thread"
                                        + " limit (p1) %.2f, of the %d-thread limit (p2) %.2f;"
                                        + " p2/p1 %.2f",
                                records,
                                imageSize,
                                tokenize.imageSize(),
                                cores,
                                CHECKPOINT_INTERVAL.toMillis(),
                                warmupBatches,
                                measuredCopies,
                                pipeline.get(1).steadyRate() / bestLimit,
                                pairThreads,
                                pipeline.get(2).steadyRate() / bestLimitTwoThreads,
                                pipeline.get(2).steadyRate() / pipeline.get(1).steadyRate()));
        // A relay is fast enough that its measured stream may pass within a few checkpoint
        // intervals, and its rate then mostly measures the commit latency: its CPU per record is
        // the figure that holds, and the rate that CPU allows on these cores its ceiling.
        double relayCpu = relay.get(1).cpuMsPerRecord();
        double relayCeiling = cores * 1000.0 / relayCpu;
        result.put("relay_cpu_bound_records_per_s", relayCeiling)
                .put("relay_cpu_bound_fraction_of_limit", relayCeiling / bestLimit)
                .note(
                        String.format(
                                java.util.Locale.ROOT,
                                "relay: %.3f ms of CPU per record at p1 (the jobs: %.3f), so"
                                        + " transport alone would allow %.0f records/s on %d"
                                        + " CPUs, %.2f of the 1-thread limit; its measured rate is"
                                        + " a lower bound (the stream passes in a few checkpoint"
                                        + " intervals)",
                                relayCpu,
                                pipeline.get(1).cpuMsPerRecord(),
                                relayCeiling,
                                cores,
                                relayCeiling / bestLimit));
        return result;
    }

    /** "name value" for each figure at least {@code smallest} in size, in the map's order. */
    static String figures(
            Map<String, Double> values, String valueFormat, String separator, double smallest) {
        return values.entrySet().stream()
                .filter(e -> Math.abs(e.getValue()) >= smallest)
                .map(
                        e ->
                                e.getKey()
                                        + " "
                                        + String.format(
                                                java.util.Locale.ROOT, valueFormat, e.getValue()))
                .collect(java.util.stream.Collectors.joining(separator));
    }

    /** Best of {@link #PASSES} passes: other processes share the CPUs. */
    /**
     * Records/s of decoding and resizing {@code images} in {@code threads} plain Java threads, each
     * taking every {@code threads}-th image: the limit of the image work on these cores.
     */
    static double decodeResizeRate(List<byte[]> images, int exampleSize, int threads) {
        return best(
                images.size(),
                () -> {
                    List<Thread> workers = new ArrayList<>();
                    List<Throwable> failures =
                            java.util.Collections.synchronizedList(new ArrayList<>());
                    for (int w = 0; w < threads; w++) {
                        int first = w;
                        Thread worker =
                                new Thread(
                                        () -> {
                                            ImagePreprocessor preprocessor =
                                                    new ImagePreprocessor(exampleSize);
                                            for (int i = first; i < images.size(); i += threads) {
                                                try {
                                                    preprocessor.process(images.get(i));
                                                } catch (Images.UndecodableImageException e) {
                                                    failures.add(e);
                                                    return;
                                                }
                                            }
                                        },
                                        "bench-limit-" + w);
                        worker.start();
                        workers.add(worker);
                    }
                    for (Thread worker : workers) {
                        try {
                            worker.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException(failures.get(0));
                    }
                });
    }

    static double curateAndBuildRate(List<RawPair> pairs, TokenizeConfig tokenize) {
        PairCurator curator = new PairCurator(FILTER);
        ExampleBuilder builder = new ExampleBuilder(tokenize);
        return best(
                pairs.size(),
                () -> {
                    for (RawPair pair : pairs) {
                        CuratedPair curated = curator.curate(pair, Instant.now()).value();
                        builder.build(curated).value();
                    }
                });
    }

    private static double best(int n, Runnable pass) {
        double best = 0;
        for (int i = 0; i < PASSES; i++) {
            long t = System.nanoTime();
            pass.run();
            best = Math.max(best, rate(n, t));
        }
        return best;
    }

    /**
     * What one parallelism measured over the measured stream.
     *
     * @param steadyRate records/s from the first commit of the measured stream to its last
     * @param endToEndRate records/s from the first send to the last commit
     * @param cpuMsPerRecord JVM CPU ms per measured record
     * @param jitMsPerRecord of which the JIT compiler's threads
     * @param refused measured records that ended as rejects
     * @param split CPU ms per record by thread group over the measured stream ({@link ThreadCpu})
     */
    record PipelineFigures(
            double steadyRate,
            double endToEndRate,
            double cpuMsPerRecord,
            double jitMsPerRecord,
            long refused,
            Map<String, Double> split) {}

    private static void row(BenchResult result, String measure, PipelineFigures figures) {
        result.row(
                measure,
                figures.steadyRate(),
                figures.endToEndRate(),
                figures.cpuMsPerRecord(),
                figures.jitMsPerRecord(),
                figures.refused());
    }

    /** Puts the measured jobs on an environment, reading and writing {@code topics}. */
    @FunctionalInterface
    interface Wiring {
        void attach(StreamExecutionEnvironment env, KafkaClients kafka, PipelineTopics topics);
    }

    /**
     * The pipeline's two hops with nothing in between: raw pairs to the curated topic, curated to
     * the examples topic, each record's bytes as they are, exactly once (the sinks' compression as
     * in the jobs).
     */
    static void attachRelay(
            StreamExecutionEnvironment env, KafkaClients kafka, PipelineTopics topics) {
        relay(
                env,
                kafka,
                topics.rawPairs(),
                topics.curatedPairs(),
                "relay-filter",
                KafkaSinks.IMAGE_RECORD_COMPRESSION);
        relay(
                env,
                kafka,
                topics.curatedPairs(),
                topics.examples(),
                "relay-tokenize",
                KafkaSinks.PIXEL_RECORD_COMPRESSION);
    }

    private static void relay(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            String from,
            String to,
            String stage,
            String compression) {
        PipelineSources.read(env, kafka, from, stage, false)
                .sinkTo(
                        KafkaSinks.envelopes(
                                kafka,
                                to,
                                KafkaSinks.transactionalIdPrefix(stage, to),
                                compression))
                .name(stage + "-sink")
                .uid(stage + "-sink");
    }

    /**
     * Runs {@code wiring}'s jobs at {@code parallelism} on topics of their own ({@code
     * bench-<label>-...}), warms them up, and measures one stream.
     */
    private static PipelineFigures pipelineRate(
            KafkaBroker broker,
            String label,
            Wiring wiring,
            int parallelism,
            List<RawPair> pairs,
            int warmup,
            int warmupBatches,
            int measuredCopies)
            throws Exception {
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        PipelineTopics topics = PipelineTopics.defaults().withPrefix("bench-" + label + "-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        Path checkpoints = Files.createTempDirectory("streamlip-bench-cp");
        StreamExecutionEnvironment env =
                JobEnvironment.create(
                        JobSettings.defaults(checkpoints)
                                .withParallelism(parallelism)
                                .withCheckpointInterval(CHECKPOINT_INTERVAL));
        wiring.attach(env, kafka, topics);
        JobClient job = env.executeAsync("bench-datapath-" + label);
        // Every record ends as an example or a reject: counting examples alone would wait for
        // records that never come.
        try (CommittedCounter examples = new CommittedCounter(kafka, topics.examples());
                CommittedCounter rejects = new CommittedCounter(kafka, topics.rejects())) {
            long expected = 0;
            for (int i = 1; i <= warmupBatches; i++) {
                List<RawPair> sent = relabel(pairs.subList(0, warmup), "warmup" + i);
                ThreadCpu.Snapshot start = ThreadCpu.take();
                long t = System.nanoTime();
                send(kafka, topics, sent);
                expected += sent.size();
                CommittedCounter.await(expected, Duration.ofMinutes(10), examples, rejects);
                logBatch(label, "warmup" + i, sent.size(), t, start);
            }
            List<RawPair> sent = new ArrayList<>();
            for (int copy = 1; copy <= measuredCopies; copy++) {
                sent.addAll(relabel(pairs, "run" + copy));
            }
            ThreadCpu.Snapshot start = ThreadCpu.take();
            long t = System.nanoTime();
            long cpu = processCpuNanos();
            long before = expected;
            long rejectsBefore = rejects.count();
            send(kafka, topics, sent);
            expected += sent.size();
            long[] firstCommit =
                    CommittedCounter.await(expected, Duration.ofMinutes(10), examples, rejects);
            long end = System.nanoTime();
            long cpuNanos = processCpuNanos() - cpu;
            logBatch(label, "measured", sent.size(), t, start);
            Map<String, Double> split =
                    ThreadCpu.millisPerRecord(start, ThreadCpu.take(), sent.size());
            LOG.info("{}: CPU ms/record by thread group {}", label, split);
            double endToEnd = sent.size() / ((end - t) / 1e9);
            // Records committed after the first commit of the measured stream, over that time;
            // when everything came in one commit there is no interval to take a rate over.
            long afterFirst = expected - Math.max(before, firstCommit[1]);
            double steady =
                    afterFirst > 0 && end > firstCommit[0]
                            ? afterFirst / ((end - firstCommit[0]) / 1e9)
                            : endToEnd;
            return new PipelineFigures(
                    steady,
                    endToEnd,
                    cpuNanos / 1e6 / sent.size(),
                    split.getOrDefault(ThreadCpu.JIT, 0.0),
                    rejects.count() - rejectsBefore,
                    split);
        } finally {
            JobEnvironment.cancel(job, Duration.ofMinutes(1));
            // Best effort: the MiniCluster may still be discarding a checkpoint after the cancel,
            // and a leftover temporary folder is no reason to lose the measurement.
            if (!FileUtils.deleteQuietly(checkpoints.toFile())) {
                LOG.warn("could not delete {}", checkpoints);
            }
        }
    }

    private static void logBatch(
            String label, String batch, int records, long startNanos, ThreadCpu.Snapshot start) {
        Map<String, Double> cpu = ThreadCpu.millisPerRecord(start, ThreadCpu.take(), records);
        LOG.info(
                "{} {}: {} records/s end to end, CPU {} ms/record, of which JIT {}",
                label,
                batch,
                Math.round(rate(records, startNanos)),
                String.format(java.util.Locale.ROOT, "%.2f", cpu.get("total")),
                String.format(java.util.Locale.ROOT, "%.2f", cpu.getOrDefault(ThreadCpu.JIT, 0.0)));
    }

    /** The pairs with ids and captions of their own: no pair repeats another's caption. */
    static List<RawPair> relabel(List<RawPair> pairs, String batch) {
        List<RawPair> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            RawPair p = pairs.get(i);
            out.add(
                    RawPair.newBuilder(p)
                            .setId(batch + "-" + p.getId())
                            .setAltText(p.getAltText() + " " + batch + "-" + i)
                            .build());
        }
        return out;
    }

    private static void send(KafkaClients kafka, PipelineTopics topics, List<RawPair> pairs) {
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            pairs.forEach(producer::send);
        }
    }

    private static List<TopicPartition> partitionsOf(
            KafkaConsumer<?, ?> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /** Counts committed records of a topic as they arrive, in a background thread. */
    private static final class CommittedCounter implements AutoCloseable {
        /**
         * How long the records of one commit take to arrive: a quarter of the checkpoint interval
         * (the sinks commit once per checkpoint), at most 250 ms.
         */
        private static final Duration SETTLE =
                CHECKPOINT_INTERVAL.dividedBy(4).compareTo(Duration.ofMillis(250)) < 0
                        ? CHECKPOINT_INTERVAL.dividedBy(4)
                        : Duration.ofMillis(250);

        private final AtomicLong count = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        CommittedCounter(KafkaClients kafka, String topic) {
            thread =
                    new Thread(
                            () -> {
                                try (KafkaConsumer<byte[], byte[]> consumer =
                                        new KafkaConsumer<>(kafka.consumer("bench-counter"))) {
                                    List<TopicPartition> partitions =
                                            partitionsOf(consumer, List.of(topic));
                                    consumer.assign(partitions);
                                    consumer.seekToBeginning(partitions);
                                    while (running.get()) {
                                        count.addAndGet(
                                                consumer.poll(Duration.ofMillis(50)).count());
                                    }
                                }
                            },
                            "bench-counter-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        long count() {
            return count.get();
        }

        /**
         * Waits until the counters together have seen {@code target} records.
         *
         * @return the first commit that arrived while waiting: when the count first grew ({@link
         *     System#nanoTime}), and the count {@link #SETTLE} later, when that commit's records
         *     have all been read (a commit's records arrive over a few polls)
         */
        static long[] await(long target, Duration timeout, CommittedCounter... counters)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long initial = total(counters);
            long firstTime = -1;
            long firstCount = -1;
            long seen;
            while ((seen = total(counters)) < target) {
                long now = System.nanoTime();
                if (firstTime < 0 && seen > initial) {
                    firstTime = now;
                } else if (firstTime >= 0
                        && firstCount < 0
                        && now - firstTime >= SETTLE.toNanos()) {
                    firstCount = seen;
                }
                if (now > deadline) {
                    throw new IllegalStateException(
                            "only " + seen + " of " + target + " records after " + timeout);
                }
                Thread.sleep(20);
            }
            return new long[] {
                firstTime < 0 ? System.nanoTime() : firstTime, firstCount < 0 ? seen : firstCount
            };
        }

        private static long total(CommittedCounter... counters) {
            long sum = 0;
            for (CommittedCounter counter : counters) {
                sum += counter.count();
            }
            return sum;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }

    /** CPU time of this JVM, all threads. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double rate(int n, long startNanos) {
        return n / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
