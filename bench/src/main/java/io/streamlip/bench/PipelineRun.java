package io.streamlip.bench;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.RawPair;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One wiring of jobs running at one parallelism on a MiniCluster, on topics of its own ({@code
 * bench-<label>-...}) and a checkpoint folder of its own: {@link #start}ed, fed warm-up batches
 * ({@link #warmUp}), then measured streams ({@link #measure}); {@link #close} cancels the job.
 *
 * <p>Every record ends as an example or a reject, and a batch is done when the two together hold
 * all its records: counting examples alone would wait for records that never come.
 */
final class PipelineRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRun.class);
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(10);

    private final String label;
    private final KafkaClients kafka;
    private final PipelineTopics topics;
    private final Path checkpoints;
    private final JobClient job;
    private final Duration settle;
    private final CommittedCounter examples;
    private final CommittedCounter rejects;
    private final Duration idle;
    private long sent;
    private ThreadCpu.Snapshot idleStart;
    private ThreadCpu.Snapshot idleEnd;
    private long idleNanos;

    private PipelineRun(
            String label,
            KafkaClients kafka,
            PipelineTopics topics,
            Path checkpoints,
            JobClient job,
            Duration checkpointInterval) {
        this.label = label;
        this.kafka = kafka;
        this.topics = topics;
        this.checkpoints = checkpoints;
        this.job = job;
        this.settle = CommittedCounter.settleTime(checkpointInterval);
        this.examples = new CommittedCounter(kafka, topics.examples());
        this.rejects = new CommittedCounter(kafka, topics.rejects());
        this.idle = idleTime(checkpointInterval);
    }

    /** How long {@link #warmUp} watches the idle jobs: three checkpoints, at least 3 s. */
    static Duration idleTime(Duration checkpointInterval) {
        Duration three = checkpointInterval.multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(3)) > 0 ? three : Duration.ofSeconds(3);
    }

    /** Creates the run's topics on {@code broker} and submits {@code wiring}'s jobs. */
    static PipelineRun start(
            KafkaBroker broker,
            String label,
            DatapathJobs.Wiring wiring,
            int parallelism,
            Duration checkpointInterval)
            throws Exception {
        KafkaClients kafka = KafkaClients.of(broker.bootstrapServers());
        PipelineTopics topics = PipelineTopics.defaults().prefixed("bench-" + label + "-");
        try (Admin admin = broker.admin()) {
            topics.create(admin);
        }
        Path checkpoints = Files.createTempDirectory("streamlip-bench-cp");
        StreamExecutionEnvironment env =
                JobEnvironment.create(
                        JobSettings.defaults(checkpoints).toBuilder()
                                .parallelism(parallelism)
                                .checkpointInterval(checkpointInterval)
                                .build());
        wiring.attach(env, kafka, topics);
        JobClient job = env.executeAsync("bench-datapath-" + label);
        return new PipelineRun(label, kafka, topics, checkpoints, job, checkpointInterval);
    }

    /**
     * Sends {@code batches} relabelled batches of {@code pairs}, each once the last is through. As
     * large as a measured batch: the first job in this JVM still compiles the Flink, Kafka and
     * RocksDB paths while it runs, and parallelism 2 would profit from what parallelism 1 paid for.
     */
    void warmUp(List<RawPair> pairs, int batches) throws InterruptedException {
        for (int i = 1; i <= batches; i++) {
            List<RawPair> batch = relabel(pairs, warmupLabel(i));
            ThreadCpu.Snapshot start = ThreadCpu.take();
            long t = System.nanoTime();
            send(batch);
            CommittedCounter.await(sent, BATCH_TIMEOUT, settle, examples, rejects);
            logBatch("warmup" + i, batch.size(), t, start);
        }
        // What the jobs spend per second with no record flowing, taken off the measured stream.
        idleStart = ThreadCpu.take();
        long t = System.nanoTime();
        Thread.sleep(idle.toMillis());
        idleEnd = ThreadCpu.take();
        idleNanos = System.nanoTime() - t;
        Map<String, Double> perSecond =
                ThreadCpu.millisPerRecord(
                        idleStart, idleEnd, Math.max(1, idleNanos / 1_000_000_000L));
        LOG.info("{} idle: CPU ms per second by thread group {}", label, perSecond);
    }

    /**
     * Sends {@code copies} relabelled copies of {@code pairs} at once and measures them until the
     * last is committed: rates, JVM CPU per record and its split by thread group, rejects. The
     * {@code stream}-th measured stream (from 1) gets labels of its own, so it repeats no earlier
     * stream's pair.
     */
    PipelineFigures measure(List<RawPair> pairs, int copies, int stream)
            throws InterruptedException {
        List<RawPair> measured = new ArrayList<>();
        for (int copy = 1; copy <= copies; copy++) {
            measured.addAll(relabel(pairs, measuredLabel((stream - 1) * copies + copy)));
        }
        ThreadCpu.Snapshot start = ThreadCpu.take();
        long t = System.nanoTime();
        long cpu = processCpuNanos();
        long before = sent;
        long rejectsBefore = rejects.count();
        send(measured);
        CommittedCounter.FirstCommit first =
                CommittedCounter.await(sent, BATCH_TIMEOUT, settle, examples, rejects);
        long end = System.nanoTime();
        long cpuNanos = processCpuNanos() - cpu;
        logBatch("measured stream " + stream, measured.size(), t, start);
        ThreadCpu.Snapshot stop = ThreadCpu.take();
        Map<String, Double> split = ThreadCpu.millisPerRecord(start, stop, measured.size());
        Map<String, Double> beyondIdle =
                idleStart == null
                        ? split
                        : ThreadCpu.millisPerRecordBeyondIdle(
                                start,
                                stop,
                                idleStart,
                                idleEnd,
                                idleNanos,
                                end - t,
                                measured.size());
        LOG.info("{}: CPU ms/record by thread group {}", label, split);
        LOG.info("{}: beyond the idle jobs' {}", label, beyondIdle);
        StreamWindow window = new StreamWindow(measured.size(), before, t, first, end);
        return new PipelineFigures(
                window.steadyRate(),
                window.endToEndRate(),
                cpuNanos / 1e6 / measured.size(),
                split.getOrDefault(ThreadCpu.JIT, 0.0),
                rejects.count() - rejectsBefore,
                split,
                beyondIdle);
    }

    /** The label {@link #warmUp} gives its {@code batch}-th batch (from 1). */
    static String warmupLabel(int batch) {
        return "warmup" + batch;
    }

    /**
     * The label {@link #measure} gives its {@code copy}-th copy (from 1, counted over its measured
     * streams). Only digits tell the copies apart, so every copy's captions have as many letters.
     */
    static String measuredLabel(int copy) {
        return "run" + copy;
    }

    /**
     * The pairs with ids and captions of their own: no pair repeats another's caption. The caption
     * gets a suffix ({@code " run3-1234"}), so the jobs' captions are longer than {@code pairs}'.
     */
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

    private void send(List<RawPair> pairs) {
        try (PairProducer producer = new PairProducer(kafka, topics.rawPairs())) {
            pairs.forEach(producer::send);
        }
        sent += pairs.size();
    }

    private void logBatch(String batch, int records, long startNanos, ThreadCpu.Snapshot start) {
        Map<String, Double> cpu = ThreadCpu.millisPerRecord(start, ThreadCpu.take(), records);
        LOG.info(
                "{} {}: {} records/s end to end, CPU {} ms/record, of which JIT {}",
                label,
                batch,
                Math.round(records / ((System.nanoTime() - startNanos) / 1e9)),
                String.format(Locale.ROOT, "%.2f", cpu.get("total")),
                String.format(Locale.ROOT, "%.2f", cpu.getOrDefault(ThreadCpu.JIT, 0.0)));
    }

    /** CPU time of this JVM, all threads. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Stops the counters and cancels the job, then deletes the checkpoints, best effort: the
     * MiniCluster may still be discarding a checkpoint after the cancel, and a leftover temporary
     * folder is no reason to lose the measurement.
     */
    @Override
    public void close() throws Exception {
        try (examples;
                rejects) {
            // only closing them
        } finally {
            JobEnvironment.cancel(job, Duration.ofMinutes(1));
            if (!FileUtils.deleteQuietly(checkpoints.toFile())) {
                LOG.warn("could not delete {}", checkpoints);
            }
        }
    }
}
