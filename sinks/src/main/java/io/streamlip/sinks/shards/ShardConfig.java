package io.streamlip.sinks.shards;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where and how big the shards of a sink are.
 *
 * @param folder the folder the shards go into (created when missing); a local or shared (NFS) path
 *     every TaskManager sees the same way, since shards are renamed in place on commit
 * @param prefix the shard names' start ({@link ShardNames}); default {@code part}
 * @param recordsPerShard records (samples) per shard (default 1,000, WebDataset's usual size for
 *     small images; raise it for small records so shards are 100 MB or more). Every shard holds
 *     exactly this many, except the last shard of each parallel writer when a bounded input ends
 */
public record ShardConfig(String folder, String prefix, int recordsPerShard)
        implements Serializable {
    /** Default records per shard. */
    public static final int DEFAULT_RECORDS_PER_SHARD = 1000;

    public ShardConfig {
        if (folder == null || folder.isEmpty()) {
            throw new IllegalArgumentException("folder must be set");
        }
        new ShardNames(prefix, "x"); // validates the prefix
        if (recordsPerShard < 1) {
            throw new IllegalArgumentException(
                    "recordsPerShard must be positive, got " + recordsPerShard);
        }
    }

    /** Shards named {@code part-NNNNNN} of the default size in {@code folder}. */
    public static ShardConfig defaults(Path folder) {
        return new ShardConfig(folder.toString(), "part", DEFAULT_RECORDS_PER_SHARD);
    }

    public ShardConfig withPrefix(String newPrefix) {
        return new ShardConfig(folder, newPrefix, recordsPerShard);
    }

    public ShardConfig withRecordsPerShard(int count) {
        return new ShardConfig(folder, prefix, count);
    }

    public Path folderPath() {
        return Path.of(folder);
    }
}
