package io.streamlip.sinks.shards;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * How records become one shard file: a tar of WebDataset samples, an Avro container file, ...
 *
 * <p>A format must be able to stop at a record boundary ({@link ShardOutput#sync}) and later
 * continue a file cut back to such a boundary ({@link #resume}): that is what lets the Flink sink
 * keep a half-full shard across a checkpoint and a restart without losing or repeating a record.
 *
 * @param <T> the records written
 */
public interface ShardFormat<T> extends Serializable {

    /** The file name extension without the dot, e.g. {@code tar}. */
    String extension();

    /**
     * Starts a new, empty shard in {@code file} (created or truncated).
     *
     * @param number the shard's number (formats may derive record keys from it)
     */
    ShardOutput<T> create(Path file, long number) throws IOException;

    /**
     * Continues shard {@code number} in {@code file}: cuts it back to {@code validLength} (a length
     * {@link ShardOutput#sync} returned when it held {@code records} records) and appends after it.
     */
    ShardOutput<T> resume(Path file, long number, long validLength, int records) throws IOException;
}
