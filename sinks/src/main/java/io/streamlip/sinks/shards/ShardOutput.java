package io.streamlip.sinks.shards;

import java.io.Closeable;
import java.io.IOException;

/**
 * One shard file being written. Not thread-safe.
 *
 * @param <T> the records written
 */
public interface ShardOutput<T> extends Closeable {

    /** Appends one record. */
    void write(T record) throws IOException;

    /**
     * Makes everything written so far durable in the file and returns the file's length: a boundary
     * that {@link ShardFormat#resume} can continue from. Must not end the shard.
     */
    long sync() throws IOException;

    /** Writes whatever ends the file (tar end-of-archive blocks, ...), makes it durable, closes. */
    void finish() throws IOException;

    /** Releases the file without finishing it (after an error, or when a task stops). */
    @Override
    void close() throws IOException;
}
