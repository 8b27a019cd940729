package io.streamlip.app;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.trainer.LatencyStats;
import io.streamlip.trainer.TrainedStep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the demo's trainer step by step ({@link io.streamlip.trainer.Trainer#onTrained}) for two
 * uses: the import's {@link AdaptivePace}, which it feeds every {@link AdaptivePace#TICK} with the
 * trainer's lag on {@code examples} (the smaller of: committed end offsets minus the offsets
 * trained up to, and committed examples, commit markers discounted, minus examples trained or
 * passed over) and its examples trained; and the report's freshness after the warm-up: Kafka
 * timestamp to trained, of the examples trained from {@code warmup} after the first step while the
 * import is still sending (the steady pace; the trainer's own figures also cover the start and the
 * backlog after an unthrottled import).
 */
final class TrainerFeed implements Consumer<TrainedStep>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerFeed.class);

    private final KafkaClients kafka;
    private final PipelineTopics topics;
    private final Duration warmup;
    private final BooleanSupplier importing;
    private final AtomicLong trained = new AtomicLong();
    private final AtomicLong passedOver = new AtomicLong();
    private volatile Map<TopicPartition, Long> trainedUpTo = Map.of();
    // Training thread only; read after the run.
    private final LatencyStats afterWarmup = new LatencyStats(1);
    private long firstStepMillis = -1;
    private ScheduledExecutorService ticker;
    private KafkaConsumer<byte[], byte[]> offsets; // the ticker's thread only
    private final Map<TopicPartition, Long> lastEnds = new java.util.HashMap<>(); // ticker only
    private long markers; // ticker only: commit markers seen on examples and rejects
    private final Map<String, Long> markersOf = new java.util.HashMap<>(); // ticker only: by topic

    /**
     * @param warmup training time after the first step left out of the steady freshness
     * @param importing whether the import is still sending
     */
    TrainerFeed(
            KafkaClients kafka, PipelineTopics topics, Duration warmup, BooleanSupplier importing) {
        this.kafka = kafka;
        this.topics = topics;
        this.warmup = warmup;
        this.importing = importing;
    }

    /** The warm-up of {@code training}: 30 s, or a quarter of a shorter run. */
    static Duration warmup(Duration training) {
        Duration quarter = training.dividedBy(4);
        Duration most = Duration.ofSeconds(30);
        return quarter.compareTo(most) < 0 ? quarter : most;
    }

    @Override
    public void accept(TrainedStep step) {
        trained.addAndGet(step.examples());
        passedOver.set(step.passedOver());
        if (!step.trainedUpTo().isEmpty()) {
            trainedUpTo = Map.copyOf(step.trainedUpTo());
        }
        if (firstStepMillis < 0) {
            firstStepMillis = step.trainedAtMillis();
        }
        if (step.trainedAtMillis() - firstStepMillis < warmup.toMillis()
                || !importing.getAsBoolean()) {
            return;
        }
        for (long produced : step.produceTimes()) {
            if (produced >= 0) {
                afterWarmup.add(step.trainedAtMillis() - produced);
            }
        }
    }

    /**
     * Starts reading the lag every {@link AdaptivePace#TICK} into {@code pace}; {@code sent} tells
     * how many pairs the import has sent.
     */
    void pace(AdaptivePace pace, java.util.function.LongSupplier sent) {
        ticker =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "demo-import-pace");
                            t.setDaemon(true);
                            return t;
                        });
        long tick = AdaptivePace.TICK.toMillis();
        ticker.scheduleWithFixedDelay(
                () -> tick(pace, sent.getAsLong()), 0, tick, TimeUnit.MILLISECONDS);
    }

    private void tick(AdaptivePace pace, long sent) {
        try {
            if (offsets == null) {
                offsets =
                        new KafkaConsumer<>(
                                kafka.consumer("streamlip-demo-pace"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer());
            }
            if (offsets.assignment().isEmpty()) {
                // Assigned (never polled): end offsets of unassigned partitions log a warning.
                List<TopicPartition> read = new java.util.ArrayList<>();
                read.addAll(partitions(topics.examples()));
                read.addAll(partitions(topics.rejects()));
                offsets.assign(read);
            }
            // read_committed: the end offsets are the last stable offsets.
            Map<TopicPartition, Long> examples = endOffsets(topics.examples());
            Map<TopicPartition, Long> rejects = endOffsets(topics.rejects());
            long examplesMarkers = countMarkers(examples);
            countMarkers(rejects);
            long examplesEnd = examples.values().stream().mapToLong(Long::longValue).sum();
            long rejectsEnd = rejects.values().stream().mapToLong(Long::longValue).sum();
            long lag = lag(examples, trainedUpTo, examplesMarkers, trained.get(), passedOver.get());
            double passShare =
                    examplesEnd + rejectsEnd == 0
                            ? 1
                            : (double) examplesEnd / (examplesEnd + rejectsEnd);
            long inJobs = Math.max(0, sent - (examplesEnd + rejectsEnd - markers));
            pace.observe(System.nanoTime(), lag, trained.get(), passShare, inJobs);
        } catch (RuntimeException e) {
            // A missed reading only holds the rate a tick longer.
            LOG.debug("import pace: no reading: {}", e.toString());
        }
    }

    /**
     * What waits for the trainer on {@code examples}, given their committed end offsets, the
     * offsets trained up to, the commit markers among them, the examples trained and those passed
     * over. Two upper bounds, each too high in its own way: the offsets trained up to stop at the
     * oldest example still in the shuffle buffer or prefetched; the count of committed examples
     * less those trained or passed over also counts the buffer's. The smaller one is the closer.
     */
    static long lag(
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> trainedUpTo,
            long markers,
            long trained,
            long passedOver) {
        long offsetLag = 0;
        long end = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            offsetLag += Math.max(0, e.getValue() - trainedUpTo.getOrDefault(e.getKey(), 0L));
            end += e.getValue();
        }
        long countLag = Math.max(0, end - markers - trained - passedOver);
        return Math.min(offsetLag, countLag);
    }

    /**
     * The jobs' sinks write transactions: each commit also takes an offset on every partition it
     * wrote to (a marker). A tick is far shorter than the checkpoint interval between commits, so
     * an end offset that moved since the last tick counts one marker: what the pairs in the jobs
     * are counted without (an undercount when commits come faster, which only loosens the bound).
     */
    private long countMarkers(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            Long before = lastEnds.put(e.getKey(), e.getValue());
            if (before != null && e.getValue() > before) {
                markers++;
                markersOf.merge(e.getKey().topic(), 1L, Long::sum);
            }
        }
        return markersOf.getOrDefault(ends.keySet().iterator().next().topic(), 0L);
    }

    private Map<TopicPartition, Long> endOffsets(String topic) {
        return offsets.endOffsets(partitions(topic), Duration.ofSeconds(5));
    }

    private List<TopicPartition> partitions(String topic) {
        return offsets.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    /** Examples the trainer trained so far. */
    long trained() {
        return trained.get();
    }

    /** Freshness of the examples trained after the warm-up while the import was sending. */
    LatencyStats.Percentiles freshnessAfterWarmup() {
        return afterWarmup.overall();
    }

    Duration warmup() {
        return warmup;
    }

    @Override
    public void close() throws InterruptedException {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (offsets != null) {
            offsets.close();
        }
    }
}
