package io.streamlip.sinks;

import io.streamlip.sinks.shards.ShardConfig;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which file sinks a job adds beside its Kafka output ({@link FileSinks#addCurated}, {@link
 * FileSinks#addExamples}), and how big their shards are. A folder is a local path or a {@code
 * file:} URI that every TaskManager sees the same way (a shared mount on a cluster): shards are
 * renamed in place with java.nio, not through Flink's FileSystem, so {@code s3://} or {@code
 * hdfs://} are refused.
 *
 * @param webDatasetFolder folder of WebDataset tar shards, or null for none (default null)
 * @param avroFolder folder of Avro container files, or null for none (default null)
 * @param recordsPerShard records per shard ({@link ShardConfig#recordsPerShard}, default 1,000)
 * @param maxRecordBytes largest record a shard takes, larger ones are rejected as {@code
 *     sink_unwritable} ({@link ShardConfig#maxRecordBytes}, default 32 MiB)
 */
public record FileSinkConfig(
        String webDatasetFolder, String avroFolder, int recordsPerShard, int maxRecordBytes)
        implements Serializable {
    private static final ShardConfig SHARD_DEFAULTS = ShardConfig.defaults(Path.of("."));

    public FileSinkConfig {
        webDatasetFolder = localFolder("webDatasetFolder", webDatasetFolder);
        avroFolder = localFolder("avroFolder", avroFolder);
        if (recordsPerShard < 1) {
            throw new IllegalArgumentException(
                    "recordsPerShard must be positive, got " + recordsPerShard);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive, got " + maxRecordBytes);
        }
    }

    /** No file sinks. */
    public static FileSinkConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether any file sink is on. */
    public boolean enabled() {
        return webDatasetFolder != null || avroFolder != null;
    }

    /** The WebDataset shards' configuration, named {@code <prefix>-NNNNNN.tar}, when on. */
    public Optional<ShardConfig> webDataset(String prefix) {
        return shards(webDatasetFolder, prefix);
    }

    /** The Avro files' configuration, named {@code <prefix>-NNNNNN.avro}, when on. */
    public Optional<ShardConfig> avro(String prefix) {
        return shards(avroFolder, prefix);
    }

    private Optional<ShardConfig> shards(String folder, String prefix) {
        return folder == null
                ? Optional.empty()
                : Optional.of(
                        ShardConfig.builder()
                                .folder(folder)
                                .prefix(prefix)
                                .recordsPerShard(recordsPerShard)
                                .maxRecordBytes(maxRecordBytes)
                                .build());
    }

    /** {@code value} as a local path: a {@code file:} URI becomes one, other schemes fail. */
    private static String localFolder(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank (null: no sink)");
        }
        if (value.startsWith("file:")) {
            try {
                return Path.of(URI.create(value)).toString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        name + ": not a file URI with an absolute path: " + value, e);
            }
        }
        if (value.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            throw new IllegalArgumentException(
                    name
                            + " must be a local or shared path (or a file: URI) that every"
                            + " TaskManager sees, got "
                            + value
                            + ": the file sinks do not write through Flink's FileSystem");
        }
        return value;
    }

    /**
     * Builds a {@link FileSinkConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private String webDatasetFolder;
        private String avroFolder;
        private int recordsPerShard = SHARD_DEFAULTS.recordsPerShard();
        private int maxRecordBytes = SHARD_DEFAULTS.maxRecordBytes();

        private Builder() {}

        private Builder(FileSinkConfig c) {
            webDatasetFolder = c.webDatasetFolder;
            avroFolder = c.avroFolder;
            recordsPerShard = c.recordsPerShard;
            maxRecordBytes = c.maxRecordBytes;
        }

        public Builder webDatasetFolder(String value) {
            webDatasetFolder = value;
            return this;
        }

        public Builder avroFolder(String value) {
            avroFolder = value;
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
        public FileSinkConfig build() {
            return new FileSinkConfig(
                    webDatasetFolder, avroFolder, recordsPerShard, maxRecordBytes);
        }
    }
}
