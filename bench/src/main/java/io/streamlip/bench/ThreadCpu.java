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
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("total", total / 1e6 / records);
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (Map.Entry<String, Long> group : sorted) {
            out.put(group.getKey(), group.getValue() / 1e6 / records);
        }
        out.put(UNACCOUNTED, (total - accounted) / 1e6 / records);
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
