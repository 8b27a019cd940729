package io.streamlip.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak resident memory of this process over a piece of work, above what was resident when it began.
 * PyTorch's CPU allocator keeps no statistics DJL can read, so it is measured from the kernel's
 * side: Linux's high-water mark {@code VmHWM}, reset before the work by writing {@code 5} to {@code
 * /proc/self/clear_refs}. Where that reset is refused, a thread samples {@code VmRSS} every
 * millisecond instead (it may miss a peak shorter than that). Large tensors are allocated by {@code
 * mmap} and returned on free, so the delta shows the native arrays alive at the peak; the JVM heap
 * (already committed) barely moves it.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    /** What {@link #measure} found. */
    record Peak(long bytesAboveStart, String method) {}

    /** Runs {@code work} and returns its peak resident memory above the resident memory before. */
    static Peak measure(Runnable work) {
        long before = field("VmRSS:");
        if (resetHighWaterMark()) {
            work.run();
            return new Peak(Math.max(0, field("VmHWM:") - before), "VmHWM (reset by clear_refs)");
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong max = new AtomicLong(before);
        Thread sampler =
                new Thread(
                        () -> {
                            while (!done.get()) {
                                max.accumulateAndGet(field("VmRSS:"), Math::max);
                                try {
                                    Thread.sleep(1);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            work.run();
        } finally {
            done.set(true);
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        max.accumulateAndGet(field("VmRSS:"), Math::max);
        return new Peak(Math.max(0, max.get() - before), "VmRSS sampled every 1 ms");
    }

    /** Whether glibc's mmap threshold was fixed for this process (see the class comment). */
    static String allocatorNote() {
        String fixed = System.getenv("MALLOC_MMAP_THRESHOLD_");
        return fixed == null
                ? "MALLOC_MMAP_THRESHOLD_ not set: glibc's dynamic mmap threshold may hide peaks"
                        + " that reuse freed memory (rows after a larger one may read low)"
                : "MALLOC_MMAP_THRESHOLD_=" + fixed + ": every larger block is mapped and unmapped";
    }

    /** Resets the kernel's resident high-water mark; false where that is refused. */
    static boolean resetHighWaterMark() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return field("VmHWM:") <= field("VmRSS:") + (1 << 20);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's resident high-water mark (VmHWM), bytes. */
    static long highWaterMark() {
        return field("VmHWM:");
    }

    /** This process's resident memory now (VmRSS), bytes. */
    static long resident() {
        return field("VmRSS:");
    }

    /** A {@code kB} field of /proc/self/status, in bytes. */
    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(name)) {
                    String kb = line.substring(name.length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + STATUS + " (Linux only)", e);
        }
        throw new IllegalStateException(STATUS + " has no " + name);
    }
}
