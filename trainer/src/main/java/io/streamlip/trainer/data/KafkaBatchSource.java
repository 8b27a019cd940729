package io.streamlip.trainer.data;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.trainer.model.ModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unbounded streaming reader: {@code Example} records from every partition of a topic into
 * fixed-size {@link TrainingBatch}es, each carrying its records' Kafka timestamps for freshness. It
 * wires its parts: a {@link TopicConsumer} reads the topic, a {@link RecordDecoder} decodes (a
 * record that cannot be used is logged, counted and passed over), a {@link LanguageSampler} keeps
 * the language mix, a {@link ShuffleBuffer} shuffles under {@link Backpressure}, an {@link
 * OffsetTracker} makes the exact {@link #position()} for checkpoints (a {@link #seek} back to it
 * trains nothing twice and skips nothing), and a {@link ReplayPolicy} reads an idle topic again
 * from its start: from the {@link ReplayCache} of the records decoded so far when it holds the
 * whole topic (the same records in the same order, without fetching or decoding them again), else
 * from Kafka. Not thread-safe: the training thread owns it. How each of these works:
 * docs/decisions/streaming-reader.md.
 */
public final class KafkaBatchSource implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchSource.class);
    private static final Duration MAX_POLL = Duration.ofMillis(200);
    private static final long MIB = 1024L * 1024L;

    private final int batchSize;
    private final ModelConfig model;
    private final int eosId;
    private final Backpressure backpressure;
    private final ShuffleBuffer buffer;
    private final RecordDecoder decoder;
    private final LanguageSampler sampler;
    private final ReplayPolicy replay;
    private final OffsetTracker offsets = new OffsetTracker();
    private final ReplayCache cache;
    private final TopicConsumer consumer;
    private final long cacheMib;
    private boolean cacheFullLogged;

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
     * @param shuffle the shuffle buffer, backpressure, language mix and replay cache
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
        this(
                maxPollRecords -> TopicConsumer.open(kafka, topic, groupId, maxPollRecords),
                batchSize,
                decoder,
                model,
                eosId,
                replayAfterIdle,
                shuffle,
                random);
    }

    /**
     * The source reading through the consumer {@code openConsumer} makes for a given most records
     * per poll (a test passes a {@code MockConsumer}); opened only once the settings are checked.
     */
    KafkaBatchSource(
            IntFunction<TopicConsumer> openConsumer,
            int batchSize,
            ExampleDecoder decoder,
            ModelConfig model,
            int eosId,
            Duration replayAfterIdle,
            ShuffleConfig shuffle,
            StreamRandom random) {
        this.backpressure = new Backpressure(shuffle.capacity(), shuffle.resumeBelow(), batchSize);
        this.batchSize = batchSize;
        this.model = model;
        this.eosId = eosId;
        int pollSize = Math.max(1, Math.min(500, shuffle.capacity()));
        this.buffer = new ShuffleBuffer(heapPart(shuffle, pollSize), shuffle.spillDir(), random);
        this.decoder = new RecordDecoder(decoder);
        this.sampler = new LanguageSampler(shuffle, random);
        this.replay = new ReplayPolicy(replayAfterIdle);
        // Only a source that replays needs it.
        this.cacheMib = replayAfterIdle == null ? 0 : shuffle.replayCacheMib();
        this.cache = new ReplayCache(cacheMib * MIB);
        this.consumer = openConsumer.apply(pollSize);
        LOG.info(
                "reading {} partitions of {} as group {} (shuffle buffer {}, {} on the heap)",
                consumer.assignment().size(),
                consumer.topic(),
                consumer.groupId(),
                shuffle.capacity(),
                shuffle.memoryCapacity());
    }

    /**
     * Examples the buffer keeps on the heap. A poll lands on a buffer that still has room, so the
     * buffer can hold up to a poll beyond its capacity: a buffer meant to live wholly on the heap
     * keeps that overflow there too, instead of sending it through the spill store every batch.
     */
    static int heapPart(ShuffleConfig shuffle, int pollSize) {
        return shuffle.memoryCapacity() < shuffle.capacity()
                ? shuffle.memoryCapacity()
                : shuffle.capacity() + pollSize;
    }

    @Override
    public void seek(StreamPosition position) {
        buffer.close();
        cache.invalidate(); // records before the position are passed over, never decoded
        Map<TopicPartition, Long> seekTo = offsets.seek(position, consumer.assignment());
        seekTo.forEach(consumer::seek);
        for (StreamPosition.Partition p : position.partitions()) {
            if (!seekTo.containsKey(p.topicPartition())) {
                LOG.warn(
                        "checkpoint names {}, which {} does not have",
                        p.topicPartition(),
                        consumer.topic());
            }
        }
        LOG.info(
                "resuming {} at {} ({} records read before but not trained)",
                consumer.topic(),
                position.trainedUpTo(),
                position.pendingCount());
    }

    @Override
    public StreamPosition position() {
        return offsets.position();
    }

    @Override
    public Optional<TrainingBatch> next(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        resumeIfLow();
        while (true) {
            // A paused consumer (the buffer holds at least a batch then) gets nothing: a poll
            // would only wait out its timeout before every batch until the buffer runs low.
            boolean paused = consumer.isPaused();
            boolean caughtUp = !paused && backpressure.hasRoom(buffer.size()) && poll(deadline);
            if (backpressure.batchReady(buffer.size(), caughtUp || paused)) {
                return Optional.of(takeBatch());
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
        }
    }

    /**
     * One poll into the buffer, then replay or pause as due; true when it returned less than a full
     * poll: the consumer is at the head of the stream.
     */
    private boolean poll(long deadline) {
        if (cache.replaying()) {
            List<ReplayCache.Entry> entries = cache.next(consumer.maxPollRecords());
            if (!entries.isEmpty()) {
                for (ReplayCache.Entry e : entries) {
                    addReplayed(e);
                }
                replay.polledRecords();
                pauseIfFull();
                return entries.size() < consumer.maxPollRecords();
            }
            // Read through: on from Kafka, where the consumer stands (new records, if any).
        }
        long left = Math.max(0, deadline - System.nanoTime());
        ConsumerRecords<byte[], byte[]> records =
                consumer.poll(Duration.ofNanos(Math.min(left, MAX_POLL.toNanos())));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            add(r);
        }
        if (!records.isEmpty()) {
            replay.polledRecords();
        } else if (replay.polledNothing(
                System.nanoTime(), consumer.isPaused(), offsets.hasPosition())) {
            rewind();
        }
        pauseIfFull();
        return records.count() < consumer.maxPollRecords();
    }

    /** Starts the next pass: from the cache when it holds every record from the beginning. */
    private void rewind() {
        String why =
                replay.inputComplete()
                        ? "read to its end, and its input is complete"
                        : "delivered nothing for " + replay.afterIdle();
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets();
        if (cache.replayable(beginnings, this::positionOrUnknown)) {
            offsets.rewound(beginnings);
            cache.startReplay();
            LOG.info(
                    "{} {}: reading it again from memory (pass {}, {} records, {} MiB)",
                    consumer.topic(),
                    why,
                    replay.passes(),
                    cache.size(),
                    cache.bytes() / MIB);
            return;
        }
        beginnings = consumer.rewind();
        offsets.rewound(beginnings);
        cache.restart(beginnings);
        LOG.info(
                "{} {}: reading it again from the start (pass {})",
                consumer.topic(),
                why,
                replay.passes());
    }

    /** Where the consumer stands in {@code tp}; -1 when it cannot say now (then Kafka replays). */
    private long positionOrUnknown(TopicPartition tp) {
        try {
            return consumer.position(tp);
        } catch (RuntimeException e) {
            LOG.debug("no position for {}: {}", tp, e.toString());
            return -1;
        }
    }

    private void pauseIfFull() {
        if (backpressure.pause(buffer.size(), consumer.isPaused())) {
            consumer.pauseAll();
            LOG.debug("buffer full ({}): paused {}", buffer.size(), consumer.topic());
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        OffsetTracker.Seen seen = offsets.read(tp, r.offset());
        if (seen == OffsetTracker.Seen.TRAINED) {
            cache.invalidate(); // passed over undecoded: the cache cannot hold the whole topic
            return;
        }
        RecordDecoder.Attempt attempt = decoder.attempt(r);
        cache.record(
                new ReplayCache.Entry(
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        attempt.example(),
                        attempt.refusal()));
        if (cache.full() && !cacheFullLogged) {
            cacheFullLogged = true;
            LOG.info(
                    "{} holds more than the replay cache's {} MiB: replays read it from Kafka",
                    consumer.topic(),
                    cacheMib);
        }
        buffer(tp, r.offset(), r.timestamp(), seen, attempt.example());
    }

    /** A record of a replay from the cache: what {@link #add} does with it read from Kafka. */
    private void addReplayed(ReplayCache.Entry e) {
        TopicPartition tp = new TopicPartition(consumer.topic(), e.partition());
        OffsetTracker.Seen seen = offsets.read(tp, e.offset());
        if (seen == OffsetTracker.Seen.TRAINED) {
            return; // never after a rewind; as add() would
        }
        if (e.refusal() != null) {
            decoder.refusedAgain(consumer.topic(), e.partition(), e.offset(), e.refusal());
            return;
        }
        buffer(tp, e.offset(), e.timestamp(), seen, e.example());
    }

    private void buffer(
            TopicPartition tp,
            long offset,
            long timestamp,
            OffsetTracker.Seen seen,
            DecodedExample example) {
        // A record kept before the restart is kept again without a second draw.
        if (example == null || (seen == OffsetTracker.Seen.NEW && !sampler.keep(example.lang()))) {
            return;
        }
        long produceTime = offsets.buffered(tp, offset, timestamp);
        buffer.add(
                new BufferedExample(tp.partition(), offset, produceTime, replay.passes(), example));
    }

    private TrainingBatch takeBatch() {
        List<DecodedExample> examples = new ArrayList<>(batchSize);
        long[] produceTimes = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            BufferedExample b = buffer.take();
            if (b.pass() == replay.passes()) {
                offsets.trained(new TopicPartition(consumer.topic(), b.partition()), b.offset());
            }
            examples.add(b.example());
            produceTimes[i] = b.produceTime();
        }
        resumeIfLow();
        return TrainingBatch.of(examples, model, eosId, position().trainedUpTo(), produceTimes);
    }

    private void resumeIfLow() {
        if (backpressure.resume(buffer.size(), consumer.isPaused())) {
            consumer.resumeAll();
            LOG.debug("buffer down to {}: resumed {}", buffer.size(), consumer.topic());
        }
    }

    @Override
    public void checkpointed(StreamPosition position) {
        consumer.commit(position.trainedUpTo());
    }

    @Override
    public void inputComplete(boolean complete) {
        replay.inputComplete(complete);
    }

    /** How many times the topic has been started from the beginning (1 until a replay). */
    public int passes() {
        return replay.passes();
    }

    /** Records held in memory for replays now. */
    public int replayCacheRecords() {
        return cache.size();
    }

    /** Partitions paused now because the buffer is full. */
    public Set<TopicPartition> paused() {
        return consumer.paused();
    }

    /** How many times the buffer filled up and the partitions were paused. */
    public long pauses() {
        return backpressure.pauses();
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
        return offsets.firstOffsetsRead();
    }

    @Override
    public long skipped() {
        return decoder.skipped();
    }

    /** Records refused by the decoder so far, by reason. */
    public Map<ExampleDecoder.Refusal, Long> skippedByReason() {
        return decoder.skippedByReason();
    }

    @Override
    public long sampledOut() {
        return sampler.sampledOut();
    }

    @Override
    public void close() {
        try {
            consumer.close();
        } finally {
            buffer.close();
        }
    }
}
