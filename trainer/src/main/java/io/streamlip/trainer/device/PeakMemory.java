package io.streamlip.trainer.device;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory a piece of work needed at its peak on one device, above what was in use before it.
 *
 * <p>On a GPU: DJL 0.36 exposes none of PyTorch's allocator statistics, only the device's free and
 * total memory ({@link CudaUtils#getGpuMemory}, cudaMemGetInfo). PyTorch's caching allocator keeps
 * every block it reserved until its cache is emptied, so the cache is emptied before the work and
 * the memory in use after it, less before, is the peak the allocator reserved (at least the peak of
 * live tensors; device-wide, so another process on the GPU shows too).
 *
 * <p>On the CPU: Linux's resident high-water mark {@code VmHWM}, reset before the work by writing
 * {@code 5} to {@code /proc/self/clear_refs}; where that is refused, {@code VmRSS} sampled every
 * millisecond.
 */
public final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    /**
     * What {@link #measure} found.
     *
     * @param bytes peak above the level before the work
     * @param method how it was measured, in words
     */
    public record Peak(long bytes, String method) {
        /** {@link #bytes} in MiB. */
        public double mib() {
            return bytes / (double) (1 << 20);
        }
    }

    /** Runs {@code work} and returns the peak memory it needed on {@code device}. */
    public static Peak measure(Device device, Runnable work) {
        return device.isGpu() ? measureGpu(device, work) : measureResident(work);
    }

    /** Memory in use on {@code device} now (GPU: device-wide; CPU: this process's resident set). */
    public static long inUse(Device device) {
        return device.isGpu() ? CudaUtils.getGpuMemory(device).getUsed() : field("VmRSS:");
    }

    /** Returns the GPU cache PyTorch holds to the device; nothing on a CPU. */
    public static void emptyCache(Device device) {
        if (device.isGpu()) {
            JniUtils.emptyCudaCache();
        }
    }

    private static Peak measureGpu(Device device, Runnable work) {
        JniUtils.emptyCudaCache();
        long before = CudaUtils.getGpuMemory(device).getUsed();
        work.run();
        long after = CudaUtils.getGpuMemory(device).getUsed();
        return new Peak(
                Math.max(0, after - before),
                "cudaMemGetInfo: device memory in use after the work less before, PyTorch's"
                        + " cache emptied before (its caching allocator keeps the peak reserved)");
    }

    /**
     * Runs {@code work} and returns this process's peak resident memory above what it was before.
     */
    public static Peak measureResident(Runnable work) {
        long before = field("VmRSS:");
        if (resetHighWaterMark()) {
            work.run();
            return new Peak(
                    Math.max(0, field("VmHWM:") - before),
                    "VmHWM reset by clear_refs" + allocator());
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
        return new Peak(Math.max(0, max.get() - before), "VmRSS sampled every 1 ms" + allocator());
    }

    /** Whether glibc's mmap threshold was fixed for this process, in words. */
    public static String allocatorNote() {
        String fixed = System.getenv("MALLOC_MMAP_THRESHOLD_");
        return fixed == null
                ? "MALLOC_MMAP_THRESHOLD_ not set: glibc's dynamic mmap threshold may hide peaks"
                        + " that reuse freed memory (rows after a larger one may read low)"
                : "MALLOC_MMAP_THRESHOLD_=" + fixed + ": every larger block is mapped and unmapped";
    }

    /** Whether glibc maps every large block (else freed memory reused may hide a peak). */
    private static String allocator() {
        String threshold = System.getenv("MALLOC_MMAP_THRESHOLD_");
        return threshold == null
                ? "; MALLOC_MMAP_THRESHOLD_ unset (reused heap may hide part of a peak)"
                : "; MALLOC_MMAP_THRESHOLD_=" + threshold;
    }

    /** Resets the kernel's resident high-water mark; false where that is refused. */
    public static boolean resetHighWaterMark() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return field("VmHWM:") <= field("VmRSS:") + (1 << 20);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's resident high-water mark (VmHWM), bytes. */
    public static long highWaterMark() {
        return field("VmHWM:");
    }

    /** This process's resident memory now (VmRSS), bytes. */
    public static long resident() {
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
