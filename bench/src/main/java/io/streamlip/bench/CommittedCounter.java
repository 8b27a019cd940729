package io.streamlip.bench;

import io.streamlip.platform.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts the committed records of a topic from its beginning as they arrive, in a background
 * thread, until closed.
 */
final class CommittedCounter implements AutoCloseable {
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    CommittedCounter(KafkaClients kafka, String topic) {
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> consumer =
                                    new KafkaConsumer<>(kafka.consumer("bench-counter"))) {
                                List<TopicPartition> partitions = partitionsOf(consumer, topic);
                                consumer.assign(partitions);
                                consumer.seekToBeginning(partitions);
                                while (running.get()) {
                                    count.addAndGet(consumer.poll(Duration.ofMillis(50)).count());
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
     * The first commit that arrived while waiting.
     *
     * @param nanos when the count first grew ({@link System#nanoTime})
     * @param count the count when that commit's records had all been read (they arrive over a few
     *     polls)
     */
    record FirstCommit(long nanos, long count) {}

    /**
     * How long the records of one commit take to arrive: a quarter of the checkpoint interval (the
     * sinks commit once per checkpoint), at most 250 ms.
     */
    static Duration settleTime(Duration checkpointInterval) {
        Duration quarter = checkpointInterval.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(250)) < 0 ? quarter : Duration.ofMillis(250);
    }

    /**
     * Waits until the counters together have seen {@code target} records.
     *
     * @param settle how long after the first commit its count is read ({@link #settleTime})
     * @return the first commit that arrived while waiting; when none came (the target was already
     *     reached), now and the count seen
     * @throws IllegalStateException when {@code timeout} passes first
     */
    static FirstCommit await(
            long target, Duration timeout, Duration settle, CommittedCounter... counters)
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
            } else if (firstTime >= 0 && firstCount < 0 && now - firstTime >= settle.toNanos()) {
                firstCount = seen;
            }
            if (now > deadline) {
                throw new IllegalStateException(
                        "only " + seen + " of " + target + " records after " + timeout);
            }
            Thread.sleep(20);
        }
        return new FirstCommit(
                firstTime < 0 ? System.nanoTime() : firstTime, firstCount < 0 ? seen : firstCount);
    }

    private static long total(CommittedCounter... counters) {
        long sum = 0;
        for (CommittedCounter counter : counters) {
            sum += counter.count();
        }
        return sum;
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic)
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        return partitions;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
