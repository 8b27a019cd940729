package io.streamlip.trainer.data;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.trainer.model.ModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unbounded streaming reader: {@code Example} records from every partition of a topic
 * (read_committed, assigned, its own consumer group, no auto-commit) through a {@link
 * ShuffleBuffer} into fixed-size {@link TrainingBatch}es. It pauses the partitions while the buffer
 * is full, samples languages by {@link ShuffleConfig#languageWeights()}, reports the exact reading
 * {@link #position()} for checkpoints and {@link #seek}s back to it after a restart, so nothing is
 * trained twice or skipped; each batch carries its records' Kafka timestamps for freshness. A
 * record that cannot be used is logged, counted and passed over. With {@code replayAfterIdle}, an
 * idle topic is read again from its earliest record. Not thread-safe: the training thread owns it.
 * How each of these works: docs/decisions/streaming-reader.md.
 */
public final class KafkaBatchSource implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchSource.class);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(60);
    private static final Duration MAX_POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final int batchSize;
    private final ExampleDecoder decoder;
    private final ModelConfig model;
    private final int eosId;
    private final Duration replayAfterIdle;
    private final ShuffleConfig shuffle;
    private final StreamRandom random;
    private final ShuffleBuffer buffer;
    private final int maxPollRecords;

    /** Per partition: the next offset to read. */
    private final Map<TopicPartition, Long> readPosition = new HashMap<>();

    /** Per partition: offsets in the buffer (of the current pass), not yet trained. */
    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();

    /** Per partition, after {@link #seek}: what to train again while re-reading. */
    private final Map<TopicPartition, Resume> resuming = new HashMap<>();

    /**
     * Per partition: the offset from which on nothing has been read yet by this source; a record
     * below it is read again (a replay pass) and does not count for freshness.
     */
    private final Map<TopicPartition, Long> neverRead = new HashMap<>();

    /** Per partition: the first offset delivered since construction or the last seek. */
    private final Map<TopicPartition, Long> firstRead = new HashMap<>();

    private long skipped;
    private final Map<ExampleDecoder.Refusal, Long> skippedByReason =
            new EnumMap<>(ExampleDecoder.Refusal.class);
    private long sampledOut;
    private long received;
    private long pauses;
    private long idleSince = -1; // nanoTime of the first empty poll since the last record
    private int passes = 1;

    /** A partition being re-read after a restart: offsets below readUpTo count only if pending. */
    private record Resume(long readUpTo, Set<Long> pending) {}

    /**
     * A source with a buffer of one batch that never spills (no shuffle to speak of: the batch is
     * the buffer, in random order) and a fixed seed; see the full constructor.
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
        this(
                kafka,
                topic,
                groupId,
                batchSize,
                decoder,
                model,
                eosId,
                replayAfterIdle,
                ShuffleConfig.of(batchSize, batchSize),
                new StreamRandom(0));
    }

    /**
     * A source over every partition of {@code topic} (waiting up to a minute for it to exist),
     * handing out batches of {@code batchSize} assembled for {@code model}.
     *
     * @param replayAfterIdle read the topic again from its start once it has delivered nothing for
     *     this long; null never replays
     * @param shuffle the shuffle buffer, backpressure and language mix
     * @param random the trainer's generator (its state goes into checkpoints)
     */
    public KafkaBatchSource(
            KafkaClients kafka,
            String topic,
            String groupId,
            int batchSize,
            ExampleDecoder decoder,
            ModelConfig model,
            int eosId,
            Duration replayAfterIdle,
            ShuffleConfig shuffle,
            StreamRandom random) {
        if (shuffle.capacity() < batchSize) {
            throw new IllegalArgumentException(
                    "the shuffle buffer ("
                            + shuffle.capacity()
                            + ") must hold at least a batch ("
                            + batchSize
                            + ")");
        }
        this.replayAfterIdle = replayAfterIdle;
        this.topic = topic;
        this.batchSize = batchSize;
        this.decoder = decoder;
        this.model = model;
        this.eosId = eosId;
        this.shuffle = shuffle;
        this.random = random;
        this.buffer = new ShuffleBuffer(shuffle.memoryCapacity(), shuffle.spillDir(), random);
        Properties props = kafka.consumer(groupId);
        this.maxPollRecords = Math.max(1, Math.min(500, shuffle.capacity()));
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        this.consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = awaitPartitions();
        consumer.assign(partitions);
        LOG.info(
                "reading {} partitions of {} as group {} (shuffle buffer {}, {} on the heap)",
                partitions.size(),
                topic,
                groupId,
                shuffle.capacity(),
                shuffle.memoryCapacity());
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
    public void seek(StreamPosition position) {
        buffer.close();
        pending.clear();
        resuming.clear();
        firstRead.clear();
        for (StreamPosition.Partition p : position.partitions()) {
            TopicPartition tp = p.topicPartition();
            if (!consumer.assignment().contains(tp)) {
                LOG.warn("checkpoint names {}, which {} does not have", tp, topic);
                continue;
            }
            consumer.seek(tp, p.trainedUpTo());
            readPosition.put(tp, p.trainedUpTo());
            if (p.readUpTo() > p.trainedUpTo()) {
                resuming.put(tp, new Resume(p.readUpTo(), new HashSet<>(p.pending())));
            }
        }
        LOG.info(
                "resuming {} at {} ({} records read before but not trained)",
                topic,
                position.trainedUpTo(),
                position.pendingCount());
    }

    @Override
    public StreamPosition position() {
        List<StreamPosition.Partition> out = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : readPosition.entrySet()) {
            TopicPartition tp = e.getKey();
            long readUpTo = e.getValue();
            TreeSet<Long> waiting = new TreeSet<>(pending.getOrDefault(tp, new TreeSet<>()));
            Resume resume = resuming.get(tp);
            if (resume != null) { // pending before the restart and not read again yet
                for (long o : resume.pending()) {
                    if (o >= readUpTo) {
                        waiting.add(o);
                    }
                }
                readUpTo = Math.max(readUpTo, resume.readUpTo());
            }
            long trainedUpTo = waiting.isEmpty() ? readUpTo : waiting.first();
            out.add(
                    new StreamPosition.Partition(
                            tp.topic(),
                            tp.partition(),
                            trainedUpTo,
                            readUpTo,
                            new ArrayList<>(waiting)));
        }
        return new StreamPosition(out);
    }

    @Override
    public java.util.Optional<TrainingBatch> next(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        resumeIfLow();
        while (true) {
            boolean caughtUp = false;
            if (buffer.size() < shuffle.capacity()) {
                long left = Math.max(0, deadline - System.nanoTime());
                var records = consumer.poll(Duration.ofNanos(Math.min(left, MAX_POLL.toNanos())));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    add(r);
                }
                // Less than a full poll: the consumer is at the head of the stream, and waiting
                // for a full buffer would only delay training (and freshness).
                caughtUp = records.count() < maxPollRecords;
                if (!records.isEmpty()) {
                    idleSince = -1;
                } else if (replayAfterIdle != null
                        && consumer.paused().isEmpty()
                        && (received > 0 || !readPosition.isEmpty())) {
                    replayIfIdle();
                }
                if (buffer.size() >= shuffle.capacity() && consumer.paused().isEmpty()) {
                    consumer.pause(consumer.assignment());
                    pauses++;
                    LOG.debug("buffer full ({}): paused {}", buffer.size(), topic);
                }
            }
            if (buffer.size() >= shuffle.capacity() || (caughtUp && buffer.size() >= batchSize)) {
                return java.util.Optional.of(takeBatch());
            }
            if (System.nanoTime() >= deadline) {
                return java.util.Optional.empty();
            }
        }
    }

    private TrainingBatch takeBatch() {
        List<DecodedExample> examples = new ArrayList<>(batchSize);
        long[] produceTimes = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            BufferedExample b = buffer.take();
            if (b.pass() == passes) {
                TreeSet<Long> waiting = pending.get(new TopicPartition(topic, b.partition()));
                if (waiting != null) {
                    waiting.remove(b.offset());
                }
            }
            examples.add(b.example());
            produceTimes[i] = b.produceTime();
        }
        resumeIfLow();
        return TrainingBatch.of(examples, model, eosId, position().trainedUpTo(), produceTimes);
    }

    /**
     * Resumes paused partitions below the low-water mark, and always when less than a batch is
     * left: a paused consumer could otherwise never fill the buffer to a batch again.
     */
    private void resumeIfLow() {
        if (!consumer.paused().isEmpty()
                && buffer.size() < Math.max(shuffle.resumeBelow(), batchSize)) {
            consumer.resume(consumer.paused());
            LOG.debug("buffer down to {}: resumed {}", buffer.size(), topic);
        }
    }

    /** Rewinds to the start of every partition once nothing came for {@code replayAfterIdle}. */
    private void replayIfIdle() {
        long now = System.nanoTime();
        if (idleSince < 0) {
            idleSince = now;
        } else if (now - idleSince >= replayAfterIdle.toNanos()) {
            consumer.seekToBeginning(consumer.assignment());
            // Examples of the old pass still in the buffer are trained, but the new pass's
            // position no longer waits for them.
            pending.clear();
            resuming.clear();
            readPosition.putAll(consumer.beginningOffsets(consumer.assignment()));
            passes++;
            idleSince = -1;
            LOG.info(
                    "{} delivered nothing for {}: reading it again from the start (pass {})",
                    topic,
                    replayAfterIdle,
                    passes);
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        received++;
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        firstRead.putIfAbsent(tp, r.offset());
        readPosition.put(tp, r.offset() + 1);
        boolean wasPending = false;
        Resume resume = resuming.get(tp);
        if (resume != null) {
            if (r.offset() < resume.readUpTo()) {
                if (!resume.pending().remove(r.offset())) {
                    return; // trained (or refused, or sampled out) before the restart
                }
                wasPending = true;
            } else {
                resuming.remove(tp);
            }
        }
        DecodedExample example;
        try {
            example = decoder.decode(r.value());
        } catch (ExampleDecoder.InvalidExampleException e) {
            skipped++;
            long ofReason = skippedByReason.merge(e.reason(), 1L, Long::sum);
            // The first few of each reason, then every thousandth: a flood logs little.
            if (ofReason <= 10 || ofReason % 1000 == 0) {
                LOG.warn(
                        "skipping {}-{}@{} ({} skipped so far, {} {}): {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        skipped,
                        ofReason,
                        e.reason().code(),
                        e.getMessage());
            }
            return;
        }
        // A record kept before the restart is kept again without a second draw.
        double keep = wasPending ? 1.0 : shuffle.keepProbability(example.lang());
        if (keep < 1.0 && random.nextDouble() >= keep) {
            sampledOut++;
            return;
        }
        pending.computeIfAbsent(tp, k -> new TreeSet<>()).add(r.offset());
        long unread = neverRead.getOrDefault(tp, 0L);
        long produceTime = r.offset() >= unread ? r.timestamp() : -1;
        neverRead.put(tp, Math.max(unread, r.offset() + 1));
        buffer.add(new BufferedExample(r.partition(), r.offset(), produceTime, passes, example));
    }

    @Override
    public void checkpointed(StreamPosition position) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        position.trainedUpTo()
                .forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(commit, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // The checkpoint, not the group, is the source of truth: a failed commit only makes
            // the lag monitor lag behind.
            LOG.warn("could not commit offsets {} to the group: {}", commit, e.toString());
        }
    }

    /** How many times the topic has been started from the beginning (1 until a replay). */
    public int passes() {
        return passes;
    }

    /** Partitions paused now because the buffer is full. */
    public Set<TopicPartition> paused() {
        return consumer.paused();
    }

    /** How many times the buffer filled up and the partitions were paused. */
    public long pauses() {
        return pauses;
    }

    /** Examples in the shuffle buffer now. */
    public long buffered() {
        return buffer.size();
    }

    /** Examples that went to the spill store so far. */
    public long spilled() {
        return buffer.spilled();
    }

    /**
     * Per partition, the first offset delivered since this source was created or last {@link
     * #seek}ed: where consumption really started.
     */
    public Map<TopicPartition, Long> firstOffsetsRead() {
        return Map.copyOf(firstRead);
    }

    @Override
    public long skipped() {
        return skipped;
    }

    /** Records refused by the decoder so far, by reason. */
    public Map<ExampleDecoder.Refusal, Long> skippedByReason() {
        return Map.copyOf(skippedByReason);
    }

    @Override
    public long sampledOut() {
        return sampledOut;
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            buffer.close();
        }
    }
}
