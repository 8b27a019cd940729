package io.streamlip.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a JVM's CPU time goes, by thread group, between two {@link Snapshot}s: Java threads by name
 * ({@link ThreadMXBean}, nanosecond CPU time), and the JVM's own native threads (garbage collector,
 * JIT compilers, VM thread) and RocksDB's background threads from Linux's {@code /proc/self/task}
 * (clock ticks, usually 10 ms), which no Java API sees. What neither accounts for (threads that
 * ended between the snapshots, other native threads) is the process total minus the groups,
 * reported as {@value #UNACCOUNTED}.
 *
 * <p>Java thread names are grouped by {@link #group}: Flink's subtask suffix ({@code (1/2)#0}) and
 * digits are dropped, so the two subtasks of an operator chain, or a pool's threads, form one
 * group.
 */
final class ThreadCpu {
    /** The group of CPU time no thread accounts for. */
    static final String UNACCOUNTED = "unaccounted (ended threads, other native)";

    /** The group of the JIT compiler threads. */
    static final String JIT = "[native] JIT compiler";

    private static final Path TASKS = Path.of("/proc/self/task");
    private static final long TICK_NANOS = 10_000_000L;
    private static final Pattern SUBTASK = Pattern.compile(" \\(\\d+/\\d+\\)(#\\d+)?");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private ThreadCpu() {}

    /** CPU time so far: the process total, per Java thread, per native thread group. */
    record Snapshot(
            long processNanos, Map<Long, Named> javaThreads, Map<String, Long> nativeNanos) {
        /** A Java thread's name and CPU nanoseconds. */
        record Named(String name, long nanos) {}
    }

    /** The CPU time of this JVM now. */
    static Snapshot take() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Snapshot.Named> java = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                java.put(info.getThreadId(), new Snapshot.Named(info.getThreadName(), nanos));
            }
        }
        return new Snapshot(processNanos(), java, nativeNanos());
    }

    /**
     * CPU milliseconds per record between {@code before} and {@code after}, by group, largest
     * first, with the process total first ({@code "total"}) and {@value #UNACCOUNTED} last.
     */
    static Map<String, Double> millisPerRecord(Snapshot before, Snapshot after, long records) {
        return perRecord(nanosByGroup(before, after), Map.of(), 0, records);
    }

    /**
     * As {@link #millisPerRecord}, less what the same Java thread groups spent while the jobs were
     * idle (the native groups are charged in full): each group's CPU per second between {@code
     * idleBefore} and {@code idleAfter} ({@code idleNanos} of wall time apart), times the window's
     * {@code windowNanos}. What a running job spends per second whether records flow or not
     * (checkpoints and their empty transactions, heartbeats, metrics, polling) is then not charged
     * to the records: a record's share of it depends only on how many records a second the machine
     * lets through.
     */
    static Map<String, Double> millisPerRecordBeyondIdle(
            Snapshot before,
            Snapshot after,
            Snapshot idleBefore,
            Snapshot idleAfter,
            long idleNanos,
            long windowNanos,
            long records) {
        Map<String, Long> idle = nanosByGroup(idleBefore, idleAfter);
        Map<String, Double> idleInWindow = new HashMap<>();
        double scale = (double) windowNanos / idleNanos;
        double totalIdle = 0;
        for (Map.Entry<String, Long> group : idle.entrySet()) {
            String name = group.getKey();
            // Java threads only: what the JVM's native threads (GC, JIT, RocksDB's compactions)
            // do while the jobs are idle is the tail of the records before, not a fixed cost.
            if (name.startsWith("[native]") || name.equals("total") || name.equals(UNACCOUNTED)) {
                continue;
            }
            idleInWindow.put(name, group.getValue() * scale);
            totalIdle += group.getValue() * scale;
        }
        idleInWindow.put("total", totalIdle);
        return perRecord(nanosByGroup(before, after), idleInWindow, 1, records);
    }

    private static Map<String, Long> nanosByGroup(Snapshot before, Snapshot after) {
        Map<String, Long> groups = new HashMap<>();
        long accounted = 0;
        for (Map.Entry<Long, Snapshot.Named> thread : after.javaThreads().entrySet()) {
            Snapshot.Named then = before.javaThreads().get(thread.getKey());
            long nanos = thread.getValue().nanos() - (then == null ? 0 : then.nanos());
            groups.merge(group(thread.getValue().name()), nanos, Long::sum);
            accounted += nanos;
        }
        for (Map.Entry<String, Long> group : after.nativeNanos().entrySet()) {
            long nanos = group.getValue() - before.nativeNanos().getOrDefault(group.getKey(), 0L);
            groups.merge(group.getKey(), nanos, Long::sum);
            accounted += nanos;
        }
        long total = after.processNanos() - before.processNanos();
        groups.put("total", total);
        groups.put(UNACCOUNTED, total - accounted);
        return groups;
    }

    private static Map<String, Double> perRecord(
            Map<String, Long> nanos, Map<String, Double> less, double scale, long records) {
        Map<String, Double> groups = new HashMap<>();
        nanos.forEach(
                (group, n) ->
                        groups.put(
                                group,
                                (n - scale * less.getOrDefault(group, 0.0)) / 1e6 / records));
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("total", groups.remove("total"));
        Double unaccounted = groups.remove(UNACCOUNTED);
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        for (Map.Entry<String, Double> group : sorted) {
            out.put(group.getKey(), group.getValue());
        }
        out.put(UNACCOUNTED, unaccounted);
        return out;
    }

    /** The category of the benchmark's own threads: its producer, the committed counters. */
    static final String BENCHMARK = "benchmark (its producer, counters)";

    /** The categories {@link #category} sorts groups into, in the order reports list them. */
    static final List<String> CATEGORIES =
            List.of(
                    "Flink task threads (operators, their (de)serialisation, exchanges)",
                    "Kafka clients (source fetchers, producers' network threads)",
                    "Kafka broker (in-process)",
                    "checkpoints and state (async snapshots, RocksDB background)",
                    "garbage collector and VM thread",
                    JIT,
                    "Flink runtime (RPC, scheduling, metrics)",
                    BENCHMARK,
                    "other");

    /**
     * The category of thread group {@code group} ({@link #group} or a native group): which part of
     * the stack the CPU went to, so a report can say where the jobs spend beyond the plain work.
     * Flink's task threads carry their operator chain's name, beginning {@code Source:} or with an
     * operator's name; the rest are known by their prefixes.
     */
    static String category(String group) {
        if (group.equals(JIT)) {
            return JIT;
        }
        if (group.equals("[native] garbage collector") || group.equals("[native] VM thread")) {
            return CATEGORIES.get(4);
        }
        if (group.equals("[native] RocksDB background")
                || group.startsWith("AsyncOperations")
                || group.startsWith("Flink-RocksDB")
                || group.startsWith("Checkpoint Timer")
                || group.startsWith("Flink-Checkpoint")) {
            return CATEGORIES.get(3);
        }
        if (group.startsWith("Source Data Fetcher")
                || group.startsWith("kafka-producer-network-thread")
                || group.startsWith("kafka-coordinator-heartbeat")) {
            return CATEGORIES.get(1);
        }
        if (group.startsWith("data-plane-kafka")
                || group.startsWith("kafka-")
                || group.startsWith("ExpirationReaper")
                || group.startsWith("TxnMarkerSender")
                || group.startsWith("AddPartitionsToTxn")
                || group.startsWith("group-coordinator")
                || group.startsWith("transaction-log-manager")
                || group.startsWith("quorum-controller")
                || group.startsWith("broker-")
                || group.startsWith("controller-")
                || group.startsWith("raft-")
                || group.startsWith("LogDirFailureHandler")
                || group.startsWith("share-coordinator")
                || group.startsWith("ReplicaFetcher")) {
            return CATEGORIES.get(2);
        }
        if (group.startsWith("main") || group.startsWith("bench-")) {
            return CATEGORIES.get(7);
        }
        if (group.startsWith("flink-")
                || group.startsWith("jobmanager")
                || group.startsWith("Time Trigger")
                || group.startsWith("metrics-")
                || group.startsWith("mini-cluster")
                || group.startsWith("Flink ")
                || group.startsWith("ForkJoinPool")
                || group.startsWith("pool-")) {
            return CATEGORIES.get(6);
        }
        if (group.equals("total") || group.equals(UNACCOUNTED) || group.startsWith("JFR")) {
            return CATEGORIES.get(8);
        }
        // What is left are task threads: "Source: ... -> curate", "near-duplicate-bands", ...
        return CATEGORIES.get(0);
    }

    /**
     * A split by group ({@link #millisPerRecord}) summed by {@link #category}, in the order of
     * {@link #CATEGORIES}, without the total; categories with nothing in them are left out.
     */
    static Map<String, Double> byCategory(Map<String, Double> split) {
        Map<String, Double> sums = new HashMap<>();
        split.forEach(
                (group, ms) -> {
                    if (!group.equals("total")) {
                        sums.merge(category(group), ms, Double::sum);
                    }
                });
        Map<String, Double> out = new LinkedHashMap<>();
        for (String category : CATEGORIES) {
            if (sums.containsKey(category)) {
                out.put(category, sums.get(category));
            }
        }
        return out;
    }

    /** The group of a Java thread: its name without Flink's subtask suffix and digits. */
    static String group(String threadName) {
        String name = SUBTASK.matcher(threadName).replaceAll("");
        return DIGITS.matcher(name).replaceAll("N");
    }

    /** The native group of a thread named {@code comm} in {@code /proc}, or null for a Java one. */
    static String nativeGroup(String comm) {
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "[native] garbage collector";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return JIT;
        }
        if (comm.startsWith("VM ")) {
            return "[native] VM thread";
        }
        if (comm.startsWith("rocksdb:")) {
            return "[native] RocksDB background";
        }
        return null;
    }

    /**
     * CPU time so far of the threads that work for a benchmark's own thread: the garbage
     * collector's and the VM thread (native, ticks), and the workers of the common fork-join pool
     * (Java, nanoseconds), which run the tasks the work hands to {@code ForkJoinPool.commonPool()}:
     * Lingua scores a caption's n-gram sizes there. A worker that ends between two calls takes its
     * time with it, which only makes a difference smaller; a worker idle for a minute ends.
     */
    static long helperNanos() {
        Map<String, Long> groups = nativeNanos();
        return groups.getOrDefault("[native] garbage collector", 0L)
                + groups.getOrDefault("[native] VM thread", 0L)
                + commonPoolNanos();
    }

    /** The prefix of the common fork-join pool's worker threads' names. */
    static final String COMMON_POOL_WORKER = "ForkJoinPool.commonPool-worker-";

    /** CPU time so far of the common fork-join pool's live workers. */
    static long commonPoolNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(COMMON_POOL_WORKER)) {
                nanos += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return nanos;
    }

    private static Map<String, Long> nativeNanos() {
        Map<String, Long> groups = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return groups;
        }
        try (Stream<Path> tasks = Files.list(TASKS)) {
            tasks.forEach(
                    task -> {
                        String stat = read(task.resolve("stat"));
                        if (stat == null) {
                            return;
                        }
                        // pid (comm) state ... field 14 utime, 15 stime; comm may hold spaces.
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String group = nativeGroup(stat.substring(open + 1, close));
                        if (group == null) {
                            return;
                        }
                        String[] fields = stat.substring(close + 2).split(" ");
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        groups.merge(group, ticks * TICK_NANOS, Long::sum);
                    });
        } catch (IOException e) {
            return groups;
        }
        return groups;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null; // the thread ended
        }
    }

    private static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
