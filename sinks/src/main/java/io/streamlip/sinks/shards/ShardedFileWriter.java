package io.streamlip.sinks.shards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes records into shards outside Flink (an export, a test, a one-off conversion): each shard is
 * written under a hidden temporary name and renamed to {@code <prefix>-NNNNNN.<ext>} as soon as it
 * holds {@code recordsPerShard} records; {@link #close} completes the last, shorter shard. A reader
 * never sees a partial shard. Not thread-safe.
 *
 * @param <T> the records written
 */
public final class ShardedFileWriter<T> implements AutoCloseable {
    private final ShardRoller<T> roller;
    private final List<Path> shards = new ArrayList<>();
    private long records;
    private boolean closed;

    /** A writer into {@code config.folder()}, numbering shards above any already there. */
    public ShardedFileWriter(ShardFormat<T> format, ShardConfig config) throws IOException {
        this.roller = new ShardRoller<>(format, config, 0, 1);
    }

    public void write(T record) throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        roller.write(record);
        records++;
        publish();
    }

    /** Records written so far. */
    public long records() {
        return records;
    }

    /** The complete shards so far, in the order they were written. */
    public List<Path> shards() {
        return List.copyOf(shards);
    }

    private void publish() throws IOException {
        for (ShardRoller.Completed c : roller.takeCompleted()) {
            Files.move(c.temp(), c.target(), StandardCopyOption.ATOMIC_MOVE);
            shards.add(c.target());
        }
    }

    /** Completes and publishes the last shard. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            roller.completeOpen();
            publish();
        } finally {
            roller.close();
        }
    }
}
