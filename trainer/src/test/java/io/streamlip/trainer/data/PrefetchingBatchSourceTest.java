package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PrefetchingBatchSourceTest {
    private static final TopicPartition TP = new TopicPartition("examples", 0);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * Hands out batch n (its one example's token is n) and then stands at offset n + 1, having
     * drawn n + 1 random numbers and skipped n records; remembers on which thread it was used.
     */
    private static final class Counting implements BatchSource {
        final int limit;
        final AtomicLong made = new AtomicLong();
        final List<String> nextThreads = new CopyOnWriteArrayList<>();
        final List<String> commitThreads = new CopyOnWriteArrayList<>();
        final List<StreamPosition> commits = new CopyOnWriteArrayList<>();
        volatile long randomState;
        volatile StreamPosition sought;

        Counting(int limit) {
            this.limit = limit;
        }

        @Override
        public Optional<TrainingBatch> next(Duration wait) {
            nextThreads.add(Thread.currentThread().getName());
            if (made.get() >= limit) {
                return Optional.empty(); // at once: the prefetch thread must not spin on it
            }
            long n = made.getAndIncrement();
            randomState = n + 1;
            return Optional.of(batch((int) n));
        }

        @Override
        public StreamPosition position() {
            if (made.get() == 0 && sought != null) {
                return sought;
            }
            return StreamPosition.of(Map.of(TP, made.get()));
        }

        @Override
        public long skipped() {
            return Math.max(0, made.get() - 1);
        }

        @Override
        public void seek(StreamPosition position) {
            sought = position;
        }

        @Override
        public void checkpointed(StreamPosition position) {
            commitThreads.add(Thread.currentThread().getName());
            commits.add(position);
        }
    }

    private static TrainingBatch batch(int n) {
        return new TrainingBatch(
                1,
                1,
                1,
                new float[3],
                new int[] {n},
                new float[] {1},
                java.util.Arrays.asList((String) null),
                Map.of(TP, (long) n + 1));
    }

    private static void awaitWaiting(PrefetchingBatchSource source, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (source.waiting() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(source.waiting()).isEqualTo(count);
    }

    @Test
    @Timeout(30)
    void reportsThePositionOfTheBatchesTakenNotOfThoseMadeAhead() throws Exception {
        Counting inner = new Counting(100);
        try (PrefetchingBatchSource source =
                new PrefetchingBatchSource(inner, 2, () -> inner.randomState)) {
            TrainingBatch first = source.next(WAIT).orElseThrow();
            assertThat(first.tokenIds()).containsExactly(0);
            awaitWaiting(source, 2); // two waiting, a third made and held: four made in all
            assertThat(inner.made.get()).isGreaterThanOrEqualTo(3);
            assertThat(source.position()).isEqualTo(StreamPosition.of(Map.of(TP, 1L)));
            assertThat(source.randomState()).isEqualTo(1);
            assertThat(source.skipped()).isZero();

            assertThat(source.next(WAIT).orElseThrow().tokenIds()).containsExactly(1);
            assertThat(source.next(WAIT).orElseThrow().tokenIds()).containsExactly(2);
            assertThat(source.position()).isEqualTo(StreamPosition.of(Map.of(TP, 3L)));
            assertThat(source.randomState()).isEqualTo(3);
            assertThat(source.skipped()).isEqualTo(2);
        }
        assertThat(inner.nextThreads).containsOnly("streamlip-prefetch");
    }

    @Test
    @Timeout(30)
    void beforeTheFirstBatchItReportsWhereTheInnerSourceWasSought() {
        Counting inner = new Counting(0);
        StreamPosition resumed = StreamPosition.of(Map.of(TP, 42L));
        try (PrefetchingBatchSource source =
                new PrefetchingBatchSource(inner, 1, () -> inner.randomState)) {
            source.seek(resumed);
            assertThat(inner.sought).isEqualTo(resumed);
            assertThat(source.next(Duration.ofMillis(50))).isEmpty();
            assertThat(source.position()).isEqualTo(resumed);
            assertThatThrownBy(() -> source.seek(resumed))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @Timeout(30)
    void commitsOnTheReadingThreadAndTheLastOneOnClose() throws Exception {
        Counting inner = new Counting(1000);
        PrefetchingBatchSource source = new PrefetchingBatchSource(inner, 1, () -> 0L);
        source.next(WAIT).orElseThrow();
        StreamPosition first = source.position();
        source.checkpointed(first);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inner.commits.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(inner.commits).containsExactly(first);
        assertThat(inner.commitThreads).containsExactly("streamlip-prefetch");

        source.next(WAIT).orElseThrow();
        StreamPosition last = source.position();
        source.checkpointed(last);
        source.close();
        assertThat(inner.commits).endsWith(last);
        assertThat(threadAlive("streamlip-prefetch")).isFalse();
    }

    @Test
    @Timeout(30)
    void closeStopsTheThreadWhetherTheQueueIsFullOrTheSourceIsEmpty() throws Exception {
        Counting full = new Counting(1000);
        PrefetchingBatchSource blocked = new PrefetchingBatchSource(full, 1, () -> 0L);
        blocked.next(WAIT).orElseThrow();
        awaitWaiting(blocked, 1);
        blocked.close();
        assertThat(threadAlive("streamlip-prefetch")).isFalse();

        Counting empty = new Counting(0);
        PrefetchingBatchSource idle = new PrefetchingBatchSource(empty, 1, () -> 0L);
        assertThat(idle.next(Duration.ofMillis(300))).isEmpty();
        idle.close();
        assertThat(threadAlive("streamlip-prefetch")).isFalse();
        // An inner source that answers at once is asked about every 20 ms, not in a busy loop.
        assertThat(empty.nextThreads.size()).isLessThan(60);
        assertThatThrownBy(() -> idle.next(WAIT)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Timeout(30)
    void aFailureOfTheInnerSourceReachesTheTrainer() {
        BatchSource broken =
                wait -> {
                    throw new IllegalStateException("broker gone");
                };
        try (PrefetchingBatchSource source = new PrefetchingBatchSource(broken, 1, () -> 0L)) {
            assertThatThrownBy(
                            () -> {
                                for (int i = 0; i < 100; i++) {
                                    source.next(Duration.ofMillis(100));
                                }
                            })
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("broker gone");
        }
    }

    @Test
    void depthMustBePositive() {
        assertThatThrownBy(() -> new PrefetchingBatchSource(new Counting(0), 0, () -> 0L))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
