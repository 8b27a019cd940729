package io.streamlip.trainer.data;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.trainer.model.ModelConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code Example} records from every partition of a topic (read_committed, its own consumer
 * group, no auto-commit) and hands them out as fixed-size {@link TrainingBatch}es.
 *
 * <p>Each batch carries, per partition, the offset after the last record handed out so far: a
 * checkpoint stores those and a restarted trainer {@link #seek}s to them, so nothing is trained
 * twice or skipped. Records read but not yet handed out are simply read again after a restart. A
 * record that cannot be used is logged, counted and passed over (its offset still advances).
 *
 * <p>With {@code replayAfterIdle}, a topic that has delivered nothing new for that long (a finite
 * import that is over) is read again from its earliest retained records: another pass over the same
 * examples, for as long as the trainer runs. Offsets handed out then count in the new pass, so a
 * checkpoint taken during it resumes there.
 *
 * <p>Partitions are assigned, not subscribed: one trainer reads the whole topic, and its position
 * comes from its checkpoint (then the group's committed offsets, then the earliest offset). Offsets
 * are committed to the group at each checkpoint so consumer lag can be monitored. Not thread-safe:
 * the training thread owns it.
 */
public final class KafkaBatchSource implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchSource.class);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(60);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final int batchSize;
    private final ExampleDecoder decoder;
    private final ModelConfig model;
    private final int eosId;
    private final Duration replayAfterIdle;

    /** Read but not yet handed out, in partition order; a null example marks a refused record. */
    private final Deque<Pending> pending = new ArrayDeque<>();

    private final Map<TopicPartition, Long> handedOut = new HashMap<>();
    private int pendingExamples;
    private long skipped;
    private long received;
    private long idleSince = -1; // nanoTime of the first empty poll since the last record
    private int passes = 1;

    private record Pending(TopicPartition partition, long offset, DecodedExample example) {}

    /**
     * A source over every partition of {@code topic} (waiting up to a minute for it to exist),
     * handing out batches of {@code batchSize} assembled for {@code model}.
     *
     * @param replayAfterIdle read the topic again from its start once it has delivered nothing for
     *     this long; null never replays
     */
    public KafkaBatchSource(
            KafkaClients kafka,
            String topic,
            String groupId,
            int batchSize,
            ExampleDecoder decoder,
            ModelConfig model,
            int eosId,
            Duration replayAfterIdle) {
        this.replayAfterIdle = replayAfterIdle;
        this.topic = topic;
        this.batchSize = batchSize;
        this.decoder = decoder;
        this.model = model;
        this.eosId = eosId;
        Properties props = kafka.consumer(groupId);
        props.put(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.max(batchSize, 100)));
        this.consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = awaitPartitions();
        consumer.assign(partitions);
        LOG.info("reading {} partitions of {} as group {}", partitions.size(), topic, groupId);
    }

    private List<TopicPartition> awaitPartitions() {
        long deadline = System.nanoTime() + TOPIC_WAIT.toNanos();
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> out = new ArrayList<>();
                for (PartitionInfo p : infos) {
                    out.add(new TopicPartition(topic, p.partition()));
                }
                return out;
            }
            if (System.nanoTime() > deadline) {
                consumer.close();
                throw new IllegalStateException(
                        "topic " + topic + " does not exist (waited " + TOPIC_WAIT + ")");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                consumer.close();
                throw new IllegalStateException("interrupted while waiting for " + topic, e);
            }
        }
    }

    @Override
    public void seek(Map<TopicPartition, Long> offsets) {
        pending.clear();
        pendingExamples = 0;
        for (TopicPartition tp : consumer.assignment()) {
            Long offset = offsets.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset);
                handedOut.put(tp, offset);
            }
        }
        LOG.info("resuming {} at {}", topic, offsets);
    }

    @Override
    public Optional<TrainingBatch> next(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (pendingExamples < batchSize) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Duration poll = Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos()));
            var records = consumer.poll(poll);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                add(r);
            }
            if (!records.isEmpty()) {
                idleSince = -1;
            } else if (replayAfterIdle != null && (received > 0 || !handedOut.isEmpty())) {
                replayIfIdle();
            }
        }
        List<DecodedExample> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize) {
            Pending p = pending.poll();
            handedOut.put(p.partition(), p.offset() + 1);
            if (p.example() != null) {
                batch.add(p.example());
                pendingExamples--;
            }
        }
        return Optional.of(TrainingBatch.of(batch, model, eosId, handedOut));
    }

    /** Rewinds to the start of every partition once nothing came for {@code replayAfterIdle}. */
    private void replayIfIdle() {
        long now = System.nanoTime();
        if (idleSince < 0) {
            idleSince = now;
        } else if (now - idleSince >= replayAfterIdle.toNanos()) {
            consumer.seekToBeginning(consumer.assignment());
            passes++;
            idleSince = -1;
            LOG.info(
                    "{} delivered nothing for {}: reading it again from the start (pass {})",
                    topic,
                    replayAfterIdle,
                    passes);
        }
    }

    /** How many times the topic has been started from the beginning (1 until a replay). */
    public int passes() {
        return passes;
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        received++;
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        DecodedExample example = null;
        try {
            example = decoder.decode(r.value());
            pendingExamples++;
        } catch (ExampleDecoder.InvalidExampleException e) {
            skipped++;
            if (skipped <= 10 || skipped % 1000 == 0) {
                LOG.warn(
                        "skipping {}-{}@{} ({} skipped so far): {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        skipped,
                        e.getMessage());
            }
        }
        pending.add(new Pending(tp, r.offset(), example));
    }

    @Override
    public void checkpointed(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(commit, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // The checkpoint, not the group, is the source of truth: a failed commit only makes
            // the lag monitor lag behind.
            LOG.warn("could not commit offsets {} to the group: {}", offsets, e.toString());
        }
    }

    @Override
    public long skipped() {
        return skipped;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
