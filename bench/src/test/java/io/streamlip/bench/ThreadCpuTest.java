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
}
