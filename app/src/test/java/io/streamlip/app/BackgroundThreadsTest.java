package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The demo's idle thread policy on this machine's scheduler: which threads go to {@code
 * SCHED_IDLE}, which keep their class, what threads started afterwards get, and what happens where
 * the calls cannot be made.
 */
class BackgroundThreadsTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_IDLE = 5;

    /** A thread that records its id, runs {@code then} once released, and waits to be ended. */
    private static final class Parked extends Thread {
        final AtomicInteger tid = new AtomicInteger(-1);
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch end = new CountDownLatch(1);
        volatile Runnable first = () -> {};
        volatile Runnable then = () -> {};

        Parked(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            tid.set(ownTid());
            first.run();
            started.countDown();
            try {
                release.await();
                then.run();
                done.countDown();
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void lowersTheOtherJavaThreadsAndTheirNewThreadsButNotTheProtectedOnes() throws Exception {
        assumeTrue(linux(), "the scheduler classes are Linux's");
        BackgroundThreads threads =
                BackgroundThreads.forOs(
                        System.getProperty("os.name"), t -> t.getName().startsWith("bgtest-"));
        threads.protectNamed("bgtest-prefetch-with-a-long-name");
        threads.protectNamesStartingWith("bgtest-ctl-");

        Parked worker = new Parked("bgtest-worker");
        Parked trainer = new Parked("bgtest-trainer");
        trainer.first = threads::protectCurrentThread;
        // Stands in for libtorch's OpenMP workers: started from native code they carry the
        // trainer thread's OS name.
        Parked sameName = new Parked("bgtest-trainer");
        Parked prefetch = new Parked("bgtest-prefetch-with-a-long-name");
        Parked controller = new Parked("bgtest-ctl-event-handler");
        Parked[] made = {null, null};
        // Started after the switch: by a lowered thread, and by the protected one.
        worker.then = () -> made[0] = startParked("bgtest-worker-child");
        trainer.then = () -> made[1] = startParked("bgtest-trainer-child");
        for (Parked p : new Parked[] {worker, trainer, sameName, prefetch, controller}) {
            p.start();
            p.started.await();
        }
        try {
            BackgroundThreads.Outcome down = threads.lower();
            assertThat(down.failure()).isEmpty();
            assertThat(down.changed()).isEqualTo(1); // the worker alone
            assertThat(threads.lowered()).isTrue();
            assertThat(policy(worker)).isEqualTo(SCHED_IDLE);
            assertThat(policy(trainer)).isEqualTo(SCHED_OTHER);
            assertThat(policy(sameName)).isEqualTo(SCHED_OTHER);
            assertThat(policy(prefetch)).isEqualTo(SCHED_OTHER);
            assertThat(policy(controller)).isEqualTo(SCHED_OTHER);
            assertThat(policy(ownTid())).isEqualTo(SCHED_OTHER); // not a candidate

            worker.release.countDown();
            trainer.release.countDown();
            worker.done.await();
            trainer.done.await();
            assertThat(policy(made[0])).isEqualTo(SCHED_IDLE); // inherited from its maker
            assertThat(policy(made[1])).isEqualTo(SCHED_OTHER);

            BackgroundThreads.Outcome up = threads.restore();
            if (up.failure().isEmpty()) {
                assertThat(up.changed()).isEqualTo(2);
                assertThat(policy(worker)).isEqualTo(SCHED_OTHER);
                assertThat(policy(made[0])).isEqualTo(SCHED_OTHER);
                assertThat(threads.lowered()).isFalse();
            } else { // no CAP_SYS_NICE and RLIMIT_NICE 0: they stay, and it says so
                assertThat(up.failure().get()).contains("errno 1");
                assertThat(policy(worker)).isEqualTo(SCHED_IDLE);
            }
        } finally {
            for (Parked p :
                    new Parked[] {
                        worker, trainer, sameName, prefetch, controller, made[0], made[1]
                    }) {
                if (p != null) {
                    p.release.countDown();
                    p.end.countDown();
                }
            }
        }
    }

    @Test
    void offLinuxItChangesNothingAndSaysWhy() {
        BackgroundThreads threads = BackgroundThreads.forOs("Mac OS X", t -> true);
        assertThat(threads.protectCurrentThread()).isFalse();
        BackgroundThreads.Outcome down = threads.lower();
        assertThat(down.changed()).isZero();
        assertThat(down.failure()).hasValueSatisfying(f -> assertThat(f).contains("not Linux"));
        assertThat(threads.lowered()).isFalse();
        assertThat(threads.restore().failure()).isEmpty();
    }

    @Test
    void aRefusedCallIsReportedAndNothingThrows() throws Exception {
        assumeTrue(linux(), "it lists /proc/self/task");
        AtomicInteger calls = new AtomicInteger();
        BackgroundThreads.Scheduler refusing =
                new BackgroundThreads.Scheduler() {
                    @Override
                    public int currentThread() {
                        return ownTid();
                    }

                    @Override
                    public void setIdle(int tid, boolean idle)
                            throws BackgroundThreads.SchedulingException {
                        calls.incrementAndGet();
                        throw new BackgroundThreads.SchedulingException(
                                "sched_setscheduler(" + tid + ") failed, errno 1", false, null);
                    }

                    @Override
                    public boolean isIdle(int tid) {
                        return false;
                    }
                };
        BackgroundThreads threads =
                BackgroundThreads.with(refusing, t -> t.getName().startsWith("bgtest-"));
        Parked worker = new Parked("bgtest-refused");
        worker.start();
        worker.started.await();
        try {
            BackgroundThreads.Outcome down = threads.lower();
            assertThat(down.changed()).isZero();
            assertThat(down.failure()).hasValueSatisfying(f -> assertThat(f).contains("errno 1"));
            assertThat(calls).hasValue(1); // it stops at the first refusal
            assertThat(policy(worker)).isEqualTo(SCHED_OTHER);
        } finally {
            worker.release.countDown();
            worker.end.countDown();
        }
    }

    @Test
    void theWayBackIsTriedOnAThreadOfItsOwn() throws Exception {
        assumeTrue(linux(), "the scheduler classes are Linux's");
        AtomicInteger probed = new AtomicInteger(-1);
        AtomicInteger calls = new AtomicInteger();
        BackgroundThreads.Scheduler noWayBack =
                new BackgroundThreads.Scheduler() {
                    @Override
                    public int currentThread() {
                        probed.set(ownTid());
                        return probed.get();
                    }

                    @Override
                    public void setIdle(int tid, boolean idle)
                            throws BackgroundThreads.SchedulingException {
                        calls.incrementAndGet();
                        if (!idle) {
                            throw new BackgroundThreads.SchedulingException(
                                    "sched_setscheduler(" + tid + ") failed, errno 1", false, null);
                        }
                    }

                    @Override
                    public boolean isIdle(int tid) {
                        return false;
                    }
                };
        assertThat(BackgroundThreads.with(noWayBack, t -> true).whyNoWayBack())
                .hasValueSatisfying(why -> assertThat(why).contains("errno 1"));
        assertThat(calls).hasValue(2); // down, then the refused way back
        assertThat(probed.get()).isNotEqualTo(ownTid());

        // On this machine's scheduler the answer is what lowering a thread and restoring it
        // then finds, and the calling thread keeps its class.
        BackgroundThreads real =
                BackgroundThreads.forOs(
                        System.getProperty("os.name"), t -> t.getName().equals("bgtest-way-back"));
        Optional<String> why = real.whyNoWayBack();
        assertThat(policy(ownTid())).isEqualTo(SCHED_OTHER);
        Parked worker = new Parked("bgtest-way-back");
        worker.start();
        worker.started.await();
        try {
            assertThat(real.lower().changed()).isEqualTo(1);
            assertThat(real.restore().failure().isPresent()).isEqualTo(why.isPresent());
        } finally {
            worker.release.countDown();
            worker.end.countDown();
        }
        assertThat(BackgroundThreads.forOs("Mac OS X", t -> true).whyNoWayBack())
                .hasValueSatisfying(w -> assertThat(w).contains("not Linux"));
    }

    @Test
    void aJavaThreadsOsNameIsItsFirstFifteenBytes() {
        assertThat(BackgroundThreads.comm("streamlip-prefetch")).isEqualTo("streamlip-prefe");
        assertThat(BackgroundThreads.comm("main")).isEqualTo("main");
    }

    private static Parked startParked(String name) {
        Parked p = new Parked(name);
        p.start();
        try {
            p.started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return p;
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** The calling thread's id, from /proc/thread-self. */
    private static int ownTid() {
        try {
            return Integer.parseInt(
                    Path.of("/proc/thread-self").toRealPath().getFileName().toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int policy(Parked thread) throws Exception {
        return policy(thread.tid.get());
    }

    /** Field 41 of /proc/self/task/TID/stat: the thread's scheduling policy. */
    private static int policy(int tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[41 - 3]);
    }
}
