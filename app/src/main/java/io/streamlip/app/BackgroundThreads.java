package io.streamlip.app;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves this JVM's Java threads, all but the protected ones, into Linux's {@code SCHED_IDLE} class
 * and back: they then run only on CPU the protected threads leave, so their wakeups stop preempting
 * the trainer's step. Protected are the threads that called {@link #protectCurrentThread} (with
 * every thread of the same OS name: libtorch's OpenMP workers, which take the name of the thread
 * that made them) and the Java threads named in {@link #protectNamed} or whose names start with a
 * prefix given to {@link #protectNamesStartingWith}. JVM-internal threads (JIT compilers, GC, the
 * VM thread) keep their class. A thread inherits its maker's class, so threads that lowered ones
 * start are lowered too.
 *
 * <p>Java threads are found by their OS name, the first 15 bytes of their Java name. Going back
 * ({@link #restore}) needs {@code CAP_SYS_NICE} or an {@code RLIMIT_NICE} that allows nice 0;
 * without it the threads stay in {@code SCHED_IDLE}, which {@link #restore} reports. Off Linux, or
 * when the calls fail, nothing changes and the first failure is logged once. Thread-safe.
 */
final class BackgroundThreads {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundThreads.class);
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final int COMM_BYTES = 15;

    /** The scheduler calls, by thread id. */
    interface Scheduler {
        /** The calling thread's id. */
        int currentThread();

        /** Puts thread {@code tid} in {@code SCHED_IDLE} (true) or {@code SCHED_OTHER}. */
        void setIdle(int tid, boolean idle) throws SchedulingException;

        /** Whether thread {@code tid} is in {@code SCHED_IDLE}. */
        boolean isIdle(int tid) throws SchedulingException;
    }

    /** A scheduler call failed: errno {@code EPERM}, no such thread, no such call. */
    static final class SchedulingException extends Exception {
        private final boolean noSuchThread;

        SchedulingException(String message, boolean noSuchThread, Throwable cause) {
            super(message, cause);
            this.noSuchThread = noSuchThread;
        }

        /** The thread ended meanwhile (not a failure of the policy). */
        boolean noSuchThread() {
            return noSuchThread;
        }
    }

    /** What a {@link #lower} or {@link #restore} did. */
    record Outcome(int changed, Optional<String> failure) {
        static Outcome failed(int changed, String why) {
            return new Outcome(changed, Optional.of(why));
        }
    }

    private final Optional<Scheduler> scheduler;
    private final String unavailable;
    private final Predicate<Thread> candidates;
    private final Set<Integer> protectedIds = new HashSet<>();
    private final Set<String> protectedNames = new HashSet<>();
    private final Set<String> protectedPrefixes = new HashSet<>();
    private final Set<Integer> lowered = new HashSet<>();
    private Set<Integer> beforeLowering = Set.of();
    private boolean failureLogged;
    private boolean low;

    private BackgroundThreads(
            Optional<Scheduler> scheduler, String unavailable, Predicate<Thread> candidates) {
        this.scheduler = scheduler;
        this.unavailable = unavailable;
        this.candidates = candidates;
    }

    /** The policy for this JVM: Linux's scheduler through JNA, or none elsewhere. */
    static BackgroundThreads forThisJvm() {
        return forOs(System.getProperty("os.name", ""), t -> true);
    }

    /**
     * For the OS named {@code osName} (no scheduler unless it is Linux), acting on the Java threads
     * {@code candidates} accepts.
     */
    static BackgroundThreads forOs(String osName, Predicate<Thread> candidates) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new BackgroundThreads(
                    Optional.empty(), "not Linux (" + osName + ")", candidates);
        }
        try {
            return new BackgroundThreads(Optional.of(new LinuxScheduler()), null, candidates);
        } catch (LinkageError | RuntimeException e) {
            return new BackgroundThreads(Optional.empty(), "no scheduler calls: " + e, candidates);
        }
    }

    /** With {@code scheduler} (a test's), acting on the Java threads {@code candidates} accepts. */
    static BackgroundThreads with(Scheduler scheduler, Predicate<Thread> candidates) {
        return new BackgroundThreads(Optional.of(scheduler), null, candidates);
    }

    /**
     * Never lowers the calling thread, nor the threads with its OS name (those it starts from
     * native code, such as libtorch's OpenMP workers); false when the scheduler is unavailable.
     */
    synchronized boolean protectCurrentThread() {
        if (scheduler.isEmpty()) {
            return false;
        }
        int tid = scheduler.get().currentThread();
        protectedIds.add(tid);
        comm(tid).ifPresent(protectedNames::add);
        return true;
    }

    /** Never lowers the Java threads named {@code name}. */
    synchronized void protectNamed(String name) {
        protectedNames.add(comm(name));
    }

    /**
     * Never lowers the Java threads whose names start with {@code prefix} (nor, as everywhere here,
     * the threads that share one's OS name), as they are when {@link #lower} runs.
     */
    synchronized void protectNamesStartingWith(String prefix) {
        protectedPrefixes.add(prefix);
    }

    /**
     * Puts every candidate Java thread that is not protected in {@code SCHED_IDLE}: those alive now
     * (threads they start later inherit it). Stops at the first failure, logged once.
     */
    synchronized Outcome lower() {
        if (scheduler.isEmpty()) {
            return failure(0, unavailable);
        }
        Set<String> javaNames = new HashSet<>();
        Set<String> keep = new HashSet<>(protectedNames);
        for (Thread t : liveThreads()) {
            if (t != null && candidates.test(t)) {
                javaNames.add(comm(t.getName()));
                if (protectedPrefixes.stream().anyMatch(t.getName()::startsWith)) {
                    keep.add(comm(t.getName()));
                }
            }
        }
        javaNames.removeAll(keep);
        Set<Integer> all = new HashSet<>();
        int changed = 0;
        for (int tid : tasks()) {
            all.add(tid);
            if (protectedIds.contains(tid) || lowered.contains(tid)) {
                continue;
            }
            Optional<String> name = comm(tid);
            if (name.isEmpty() || !javaNames.contains(name.get())) {
                continue;
            }
            try {
                scheduler.get().setIdle(tid, true);
                lowered.add(tid);
                changed++;
            } catch (SchedulingException e) {
                if (!e.noSuchThread()) {
                    return failure(changed, e.getMessage());
                }
            }
        }
        if (!low) {
            beforeLowering = all;
        }
        low = true;
        return new Outcome(changed, Optional.empty());
    }

    /**
     * Puts the threads {@link #lower} lowered, and those started since that inherited {@code
     * SCHED_IDLE}, back in {@code SCHED_OTHER}. A failure (no permission) is reported, logged once;
     * those threads then stay in {@code SCHED_IDLE}.
     */
    synchronized Outcome restore() {
        if (scheduler.isEmpty() || !low) {
            return new Outcome(0, Optional.empty());
        }
        int changed = 0;
        for (int tid : tasks()) {
            if (protectedIds.contains(tid)
                    || !(lowered.contains(tid) || !beforeLowering.contains(tid))) {
                continue;
            }
            try {
                if (!scheduler.get().isIdle(tid)) {
                    continue;
                }
                scheduler.get().setIdle(tid, false);
                changed++;
            } catch (SchedulingException e) {
                if (!e.noSuchThread()) {
                    return failure(changed, e.getMessage());
                }
            }
        }
        lowered.clear();
        low = false;
        return new Outcome(changed, Optional.empty());
    }

    /**
     * Why {@link #restore} could not put threads back in this process, found by sending a thread of
     * its own to {@code SCHED_IDLE} and back; empty when it can.
     */
    Optional<String> whyNoWayBack() {
        if (scheduler.isEmpty()) {
            return Optional.of(unavailable);
        }
        Scheduler s = scheduler.get();
        AtomicReference<String> why = new AtomicReference<>();
        Thread probe =
                new Thread(
                        () -> {
                            int tid = s.currentThread();
                            try {
                                s.setIdle(tid, true);
                                s.setIdle(tid, false);
                            } catch (SchedulingException e) {
                                why.set(e.getMessage());
                            }
                        },
                        "streamlip-sched-probe");
        probe.setDaemon(true);
        probe.start();
        try {
            probe.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while trying");
        }
        return Optional.ofNullable(why.get());
    }

    /** Whether {@link #lower} is in force (and no {@link #restore} since). */
    synchronized boolean lowered() {
        return low;
    }

    private Outcome failure(int changed, String why) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.warn("cannot change the JVM threads' scheduling, going on without: {}", why);
        }
        return Outcome.failed(changed, why);
    }

    /** The Java threads alive now (without their stacks, unlike Thread.getAllStackTraces). */
    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() * 2 + 16];
        root.enumerate(threads, true);
        return threads;
    }

    /** The ids of this process's threads now. */
    private static Set<Integer> tasks() {
        Set<Integer> out = new HashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(TASKS)) {
            for (Path p : dir) {
                try {
                    out.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException e) {
                    // not a thread
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", TASKS, e.toString());
        }
        return out;
    }

    /** Thread {@code tid}'s OS name, empty when it ended. */
    private static Optional<String> comm(int tid) {
        try {
            byte[] bytes = Files.readAllBytes(TASKS.resolve(Integer.toString(tid)).resolve("comm"));
            int n = bytes.length;
            while (n > 0 && bytes[n - 1] == '\n') {
                n--;
            }
            return Optional.of(new String(bytes, 0, n, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The OS name of a Java thread named {@code name}: its first 15 UTF-8 bytes. */
    static String comm(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return new String(utf8, 0, Math.min(utf8.length, COMM_BYTES), StandardCharsets.ISO_8859_1);
    }

    /** glibc's calls through JNA. */
    private static final class LinuxScheduler implements Scheduler {
        private static final int SCHED_OTHER = 0;
        private static final int SCHED_IDLE = 5;
        private static final int EPERM = 1;
        private static final int ESRCH = 3;

        interface LibC extends Library {
            int gettid();

            int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

            int sched_getscheduler(int pid) throws LastErrorException;
        }

        private final LibC libc = Native.load("c", LibC.class);

        @Override
        public int currentThread() {
            return libc.gettid();
        }

        @Override
        public void setIdle(int tid, boolean idle) throws SchedulingException {
            try {
                libc.sched_setscheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER, new int[] {0});
            } catch (LastErrorException e) {
                throw failed("sched_setscheduler", tid, e);
            }
        }

        @Override
        public boolean isIdle(int tid) throws SchedulingException {
            try {
                return libc.sched_getscheduler(tid) == SCHED_IDLE;
            } catch (LastErrorException e) {
                throw failed("sched_getscheduler", tid, e);
            }
        }

        private static SchedulingException failed(String call, int tid, LastErrorException e) {
            return new SchedulingException(
                    call
                            + "("
                            + tid
                            + ") failed, errno "
                            + e.getErrorCode()
                            + (e.getErrorCode() == EPERM
                                    ? " (not permitted: leaving SCHED_IDLE needs CAP_SYS_NICE or"
                                            + " an RLIMIT_NICE that allows nice 0)"
                                    : ""),
                    e.getErrorCode() == ESRCH,
                    e);
        }
    }
}
