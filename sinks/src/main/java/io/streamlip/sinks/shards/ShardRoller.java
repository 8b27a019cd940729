package io.streamlip.sinks.shards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records into consecutive shards of a fixed size under temporary names, and hands out each
 * shard once it is complete. Deciding when a complete shard becomes visible (renamed) is the
 * caller's: at once ({@link ShardedFileWriter}) or when a Flink checkpoint commits ({@link
 * ShardedFileSink}).
 *
 * <p>Shard numbers: writer {@code index} of {@code count} parallel writers uses the numbers {@code
 * n} with {@code n mod count == index}, starting above the highest number already in the folder, so
 * parallel writers and later runs never reuse a name. Not thread-safe.
 *
 * @param <T> the records written
 */
final class ShardRoller<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRoller.class);

    /** A complete shard under its temporary name. */
    record Completed(long number, Path temp, Path target, int records) {}

    /** The open shard at a sync point: enough to continue it after a restart. */
    record OpenShard(long number, long validLength, int records) {}

    private final ShardFormat<T> format;
    private final ShardConfig config;
    private final ShardNames names;
    private final Path folder;
    private final int index;
    private final int count;
    private final List<Completed> completed = new ArrayList<>();
    private long nextNumber;
    private ShardOutput<T> open;
    private long openNumber = -1;
    private int openRecords;

    ShardRoller(ShardFormat<T> format, ShardConfig config, int index, int count)
            throws IOException {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("writer " + index + " of " + count);
        }
        this.format = format;
        this.config = config;
        this.names = new ShardNames(config.prefix(), format.extension());
        this.folder = config.folderPath();
        this.index = index;
        this.count = count;
        Files.createDirectories(folder);
        this.nextNumber = firstNumberAbove(names.highestNumber(folder));
    }

    /** The smallest number above {@code floor} that belongs to this writer. */
    private long firstNumberAbove(long floor) {
        long n = floor + 1;
        long rest = Math.floorMod(n - index, (long) count);
        return rest == 0 ? n : n + (count - rest);
    }

    ShardNames names() {
        return names;
    }

    /** Continues the shard a previous run had open ({@link #openShard}). */
    void resume(OpenShard shard) throws IOException {
        if (open != null) {
            throw new IllegalStateException("a shard is already open");
        }
        Path temp = folder.resolve(names.tempName(shard.number()));
        open = format.resume(temp, shard.number(), shard.validLength(), shard.records());
        openNumber = shard.number();
        openRecords = shard.records();
        LOG.info("continuing shard {} at {} records", temp, shard.records());
        if (openRecords >= config.recordsPerShard()) {
            completeOpen();
        }
    }

    void write(T record) throws IOException {
        if (open == null) {
            openNumber = nextNumber;
            nextNumber += count;
            open = format.create(folder.resolve(names.tempName(openNumber)), openNumber);
            openRecords = 0;
        }
        open.write(record);
        openRecords++;
        if (openRecords >= config.recordsPerShard()) {
            completeOpen();
        }
    }

    /** Ends the open shard early (end of a bounded input); nothing happens when none is open. */
    void completeOpen() throws IOException {
        if (open == null) {
            return;
        }
        ShardOutput<T> out = open;
        open = null;
        out.finish();
        completed.add(
                new Completed(
                        openNumber,
                        folder.resolve(names.tempName(openNumber)),
                        folder.resolve(names.finalName(openNumber)),
                        openRecords));
    }

    /** The shards completed since the last call. */
    List<Completed> takeCompleted() {
        List<Completed> out = List.copyOf(completed);
        completed.clear();
        return out;
    }

    /** Syncs the open shard and says where it stands; null when none is open. */
    OpenShard openShard() throws IOException {
        if (open == null) {
            return null;
        }
        return new OpenShard(openNumber, open.sync(), openRecords);
    }

    @Override
    public void close() throws IOException {
        if (open != null) {
            open.close();
            open = null;
        }
    }
}
