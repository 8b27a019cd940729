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
 * @param maxRecordBytes the largest record (a WebDataset sample's members, an Avro record's
 *     encoding) a shard takes (default {@value #DEFAULT_MAX_RECORD_BYTES} bytes); a larger one goes
 *     to the rejects as {@code sink_unwritable} instead, so that no single record makes a shard one
 *     that loaders holding a sample in memory cannot read
 */
public record ShardConfig(String folder, String prefix, int recordsPerShard, int maxRecordBytes)
        implements Serializable {
    /** Default records per shard. */
    public static final int DEFAULT_RECORDS_PER_SHARD = 1000;

    /** Default bound of one record: 32 MiB, twice the pipeline's Kafka record limit. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 32 * 1024 * 1024;

    /** Shards of at most {@link #DEFAULT_MAX_RECORD_BYTES} per record. */
    public ShardConfig(String folder, String prefix, int recordsPerShard) {
        this(folder, prefix, recordsPerShard, DEFAULT_MAX_RECORD_BYTES);
    }

    public ShardConfig {
        if (folder == null || folder.isEmpty()) {
            throw new IllegalArgumentException("folder must be set");
        }
        new ShardNames(prefix, "x"); // validates the prefix
        if (recordsPerShard < 1) {
            throw new IllegalArgumentException(
                    "recordsPerShard must be positive, got " + recordsPerShard);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive, got " + maxRecordBytes);
        }
    }

    /** Shards named {@code part-NNNNNN} of the default size in {@code folder}. */
    public static ShardConfig defaults(Path folder) {
        return new ShardConfig(folder.toString(), "part", DEFAULT_RECORDS_PER_SHARD);
    }

    public ShardConfig withPrefix(String newPrefix) {
        return new ShardConfig(folder, newPrefix, recordsPerShard, maxRecordBytes);
    }

    public ShardConfig withRecordsPerShard(int count) {
        return new ShardConfig(folder, prefix, count, maxRecordBytes);
    }

    public ShardConfig withMaxRecordBytes(int bytes) {
        return new ShardConfig(folder, prefix, recordsPerShard, bytes);
    }

    public Path folderPath() {
        return Path.of(folder);
    }
}
