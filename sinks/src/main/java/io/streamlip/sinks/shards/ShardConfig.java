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
 *     encoding) a shard takes (default 32 MiB, twice the pipeline's Kafka record limit); a larger
 *     one goes to the rejects as {@code sink_unwritable} instead, so that no single record makes a
 *     shard one that loaders holding a sample in memory cannot read
 */
public record ShardConfig(String folder, String prefix, int recordsPerShard, int maxRecordBytes)
        implements Serializable {
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
        return builder().folder(folder.toString()).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link ShardConfig}; each setting starts at its default and is named as its
     * component; {@code folder} has none and must be set.
     */
    public static final class Builder {
        private String folder;
        private String prefix = "part";
        private int recordsPerShard = 1000;
        private int maxRecordBytes = 32 * 1024 * 1024;

        private Builder() {}

        private Builder(ShardConfig c) {
            folder = c.folder;
            prefix = c.prefix;
            recordsPerShard = c.recordsPerShard;
            maxRecordBytes = c.maxRecordBytes;
        }

        public Builder folder(String value) {
            folder = value;
            return this;
        }

        public Builder prefix(String value) {
            prefix = value;
            return this;
        }

        public Builder recordsPerShard(int value) {
            recordsPerShard = value;
            return this;
        }

        public Builder maxRecordBytes(int value) {
            maxRecordBytes = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public ShardConfig build() {
            return new ShardConfig(folder, prefix, recordsPerShard, maxRecordBytes);
        }
    }

    public Path folderPath() {
        return Path.of(folder);
    }
}
