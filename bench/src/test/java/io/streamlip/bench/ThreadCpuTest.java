package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void groupsSubtasksAndPoolThreadsUnderOneName() {
        assertThat(ThreadCpu.group("near-duplicate-bands (2/2)#0"))
                .isEqualTo("near-duplicate-bands");
        assertThat(ThreadCpu.group("Source: raw -> curate (1/2)#3"))
                .isEqualTo("Source: raw -> curate");
        assertThat(ThreadCpu.group("data-plane-kafka-request-handler-7"))
                .isEqualTo("data-plane-kafka-request-handler-N");
    }

    @Test
    void countsTheCommonPoolsWorkersAsHelpers() throws Exception {
        long before = ThreadCpu.commonPoolNanos();
        java.util.concurrent.atomic.AtomicLong spent = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> ranOn =
                new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        // Waiting on a latch, not on the task: a thread that joins a task may run it itself.
        java.util.concurrent.ForkJoinPool.commonPool()
                .execute(
                        () -> {
                            // 30 ms of the worker's CPU, measured on the worker itself; the
                            // worker stays alive afterwards (an idle one is kept for a minute).
                            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                            long start = threads.getCurrentThreadCpuTime();
                            long x = 0;
                            while (threads.getCurrentThreadCpuTime() - start < 30_000_000L) {
                                x += Long.bitCount(x + 1);
                            }
                            spent.set(threads.getCurrentThreadCpuTime() - start + (x & 0));
                            ranOn.set(Thread.currentThread().getName());
                            done.countDown();
                        });
        done.await();
        assertThat(ranOn.get()).startsWith(ThreadCpu.COMMON_POOL_WORKER);
        assertThat(ThreadCpu.commonPoolNanos() - before).isGreaterThanOrEqualTo(spent.get());
    }

    @Test
    void namesTheJvmsNativeThreads() {
        assertThat(ThreadCpu.nativeGroup("C2 CompilerThre")).isEqualTo("[native] JIT compiler");
        assertThat(ThreadCpu.nativeGroup("GC Thread#1")).isEqualTo("[native] garbage collector");
        assertThat(ThreadCpu.nativeGroup("G1 Conc#0")).isEqualTo("[native] garbage collector");
        assertThat(ThreadCpu.nativeGroup("rocksdb:low")).isEqualTo("[native] RocksDB background");
        assertThat(ThreadCpu.nativeGroup("main")).isNull();
    }

    @Test
    void chargesABusyThreadToItsGroup() throws InterruptedException {
        ThreadCpu.Snapshot before = ThreadCpu.take();
        CountDownLatch spent = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        Thread busy =
                new Thread(
                        () -> {
                            // A fixed amount of CPU time, however loaded the machine is.
                            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                            long x = 0;
                            while (threads.getCurrentThreadCpuTime() < 50_000_000L) {
                                x += Long.bitCount(x + 1);
                            }
                            spent.countDown();
                            try {
                                // Alive while measured: an ended thread is no longer seen.
                                measured.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "busy-worker-1");
        busy.start();
        spent.await();
        Map<String, Double> split = ThreadCpu.millisPerRecord(before, ThreadCpu.take(), 1);
        measured.countDown();
        busy.join();

        assertThat(split).containsKeys("total", ThreadCpu.UNACCOUNTED);
        assertThat(split.get("busy-worker-N")).isGreaterThanOrEqualTo(50.0);
        assertThat(split.get("total")).isGreaterThanOrEqualTo(split.get("busy-worker-N") - 1);
    }

    @Test
    void sortsGroupsIntoTheCategoriesOfTheStack() {
        assertThat(ThreadCpu.category("Source: bench-pN-raw-pairs-source -> fetch -> curate"))
                .startsWith("Flink task threads");
        assertThat(ThreadCpu.category("near-duplicate-bands")).startsWith("Flink task threads");
        assertThat(ThreadCpu.category("Source Data Fetcher for Source: bench-pN-raw-pairs-source"))
                .startsWith("Kafka clients");
        assertThat(
                        ThreadCpu.category(
                                "kafka-producer-network-thread | producer-streamlip-filter-N"))
                .startsWith("Kafka clients");
        assertThat(ThreadCpu.category("data-plane-kafka-request-handler-N"))
                .startsWith("Kafka broker");
        assertThat(ThreadCpu.category("AsyncOperations-thread-N")).startsWith("checkpoints");
        assertThat(ThreadCpu.category("[native] RocksDB background")).startsWith("checkpoints");
        assertThat(ThreadCpu.category("[native] garbage collector")).startsWith("garbage");
        assertThat(ThreadCpu.category(ThreadCpu.JIT)).isEqualTo(ThreadCpu.JIT);
        assertThat(ThreadCpu.category("flink-pekko.actor.default-dispatcher-N"))
                .startsWith("Flink runtime");
        assertThat(ThreadCpu.category("bench-counter-bench-pN-examples")).startsWith("benchmark");
        assertThat(ThreadCpu.category(ThreadCpu.UNACCOUNTED)).isEqualTo("other");

        Map<String, Double> split = new java.util.LinkedHashMap<>();
        split.put("total", 3.0);
        split.put("near-duplicate-bands", 1.0);
        split.put("[native] garbage collector", 0.5);
        split.put("deduplicate -> near-duplicate-probes", 1.0);
        split.put(ThreadCpu.JIT, 0.5);
        assertThat(ThreadCpu.byCategory(split))
                .containsExactly(
                        Map.entry(ThreadCpu.CATEGORIES.get(0), 2.0),
                        Map.entry(ThreadCpu.CATEGORIES.get(4), 0.5),
                        Map.entry(ThreadCpu.JIT, 0.5));
    }

    @Test
    void takesWhatTheIdleJobsSpendPerSecondOffTheMeasuredWindow() {
        ThreadCpu.Snapshot idleBefore = snapshot(0, 0, 0, 0, 0);
        // 2 s idle: the runtime's dispatcher spent 200 ms, nothing else.
        // The JIT also compiled 100 ms then: native, charged in full, not taken off.
        ThreadCpu.Snapshot idleAfter = snapshot(300, 200, 0, 0, 100);
        ThreadCpu.Snapshot before = snapshot(1000, 1000, 0, 0, 100);
        // 4 s measured: dispatcher 400 ms, the band stage 600, a counter 200, the JIT 200.
        ThreadCpu.Snapshot after = snapshot(2400, 1400, 600, 200, 300);
        Map<String, Double> beyond =
                ThreadCpu.millisPerRecordBeyondIdle(
                        before, after, idleBefore, idleAfter, 2_000_000_000L, 4_000_000_000L, 10);
        assertThat(beyond.get("total"))
                .isCloseTo(100.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(beyond.get("flink-pekko.actor.default-dispatcher-N")).isEqualTo(0.0);
        assertThat(beyond.get("near-duplicate-bands")).isEqualTo(60.0);
        assertThat(beyond.get(ThreadCpu.UNACCOUNTED)).isEqualTo(0.0);
        assertThat(beyond.get(ThreadCpu.JIT)).isEqualTo(20.0);
        // Work: beyond idle, without the JIT and the benchmark's counter.
        PipelineFigures figures =
                new PipelineFigures(
                        10, 10, 140, 20, 0, ThreadCpu.millisPerRecord(before, after, 10), beyond);
        assertThat(figures.workCpuMsPerRecord())
                .isCloseTo(60.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(figures.categories().get(ThreadCpu.CATEGORIES.get(6))).isEqualTo(40.0);
        assertThat(figures.workCategories().get(ThreadCpu.CATEGORIES.get(6))).isEqualTo(0.0);
    }

    private static ThreadCpu.Snapshot snapshot(
            long processMs, long dispatcherMs, long bandsMs, long counterMs, long jitMs) {
        long ms = 1_000_000L;
        return new ThreadCpu.Snapshot(
                processMs * ms,
                Map.of(
                        1L,
                        new ThreadCpu.Snapshot.Named(
                                "flink-pekko.actor.default-dispatcher-4", dispatcherMs * ms),
                        2L,
                        new ThreadCpu.Snapshot.Named("near-duplicate-bands (1/1)#0", bandsMs * ms),
                        3L,
                        new ThreadCpu.Snapshot.Named("bench-counter-x", counterMs * ms)),
                Map.of(ThreadCpu.JIT, jitMs * ms));
    }
}
