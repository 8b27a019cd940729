package io.streamlip.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A shuffle buffer: examples go in in stream order and come out in random order, each exactly once.
 * Up to {@code memoryCapacity} live on the heap; beyond that they spill to a RocksDB store on disk
 * ({@link SpillStore}, opened on the first spill). {@link #take} draws uniformly over both parts:
 * from the heap with probability (heap size / size), else a random spilled one.
 *
 * <p>The buffer does not enforce a capacity: its owner stops reading (pauses the consumer) when it
 * is full. Not thread-safe.
 */
public final class ShuffleBuffer implements AutoCloseable {
    private final int memoryCapacity;
    private final Path spillDir;
    private final StreamRandom random;
    private final List<BufferedExample> memory = new ArrayList<>();
    private SpillStore disk;
    private long spilled;

    /**
     * @param memoryCapacity examples kept on the heap
     * @param spillDir parent of the spill store's folder, null for the system temporary folder
     * @param random the trainer's generator
     */
    public ShuffleBuffer(int memoryCapacity, Path spillDir, StreamRandom random) {
        if (memoryCapacity < 1) {
            throw new IllegalArgumentException(
                    "memoryCapacity must be positive, got " + memoryCapacity);
        }
        this.memoryCapacity = memoryCapacity;
        this.spillDir = spillDir;
        this.random = random;
    }

    public void add(BufferedExample example) {
        if (memory.size() < memoryCapacity) {
            memory.add(example);
            return;
        }
        if (disk == null) {
            disk = new SpillStore(spillDir);
        }
        disk.put(example.encode(), random);
        spilled++;
    }

    /** Removes and returns a uniformly drawn example; the buffer must not be empty. */
    public BufferedExample take() {
        long size = size();
        if (size == 0) {
            throw new IllegalStateException("the shuffle buffer is empty");
        }
        long onDisk = disk == null ? 0 : disk.size();
        if (onDisk > 0 && (random.nextLong() >>> 1) % size >= memory.size()) {
            return BufferedExample.decode(disk.take(random));
        }
        int i = random.nextInt(memory.size());
        BufferedExample out = memory.get(i);
        BufferedExample last = memory.remove(memory.size() - 1);
        if (i < memory.size()) {
            memory.set(i, last); // swap-remove: O(1), the order is random anyway
        }
        return out;
    }

    /** Examples buffered (heap and disk). */
    public long size() {
        return memory.size() + (disk == null ? 0 : disk.size());
    }

    /** Examples on disk now. */
    public long sizeOnDisk() {
        return disk == null ? 0 : disk.size();
    }

    /** Examples that went to disk so far. */
    public long spilled() {
        return spilled;
    }

    @Override
    public void close() {
        memory.clear();
        if (disk != null) {
            disk.close();
            disk = null;
        }
    }
}
