package io.streamlip.sinks;

import io.streamlip.platform.flink.JobArguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A job's file sinks ({@link FileSinkConfig}) as its own options ({@link JobArguments}): {@code
 * --<what>-webdataset-dir DIR}, {@code --<what>-avro-dir DIR} (the job names them, e.g. {@code
 * curated} or {@code examples}), {@code --shard-records N} and {@code --shard-max-record-bytes N}.
 * {@link #of} writes what {@link #apply} reads, so {@code streamlip submit} and the job agree.
 */
public final class FileSinkArguments {
    /** {@code N}: {@link FileSinkConfig#recordsPerShard}. */
    public static final String SHARD_RECORDS = "shard-records";

    /** {@code N}: {@link FileSinkConfig#maxRecordBytes}. */
    public static final String SHARD_MAX_RECORD_BYTES = "shard-max-record-bytes";

    private FileSinkArguments() {}

    /** The option names, for {@link JobArguments#parse(String[], Set)}. */
    public static Set<String> names(String webDatasetOption, String avroOption) {
        return Set.of(webDatasetOption, avroOption, SHARD_RECORDS, SHARD_MAX_RECORD_BYTES);
    }

    /**
     * The file sinks the options given in {@code arguments} turn on (none when neither folder is
     * given).
     *
     * @throws IllegalArgumentException naming the option when a value is not valid
     */
    public static FileSinkConfig apply(
            JobArguments arguments, String webDatasetOption, String avroOption) {
        FileSinkConfig.Builder config = FileSinkConfig.builder();
        try {
            arguments.jobOption(webDatasetOption).ifPresent(config::webDatasetFolder);
            arguments.jobOption(avroOption).ifPresent(config::avroFolder);
            number(arguments, SHARD_RECORDS).ifPresent(config::recordsPerShard);
            number(arguments, SHARD_MAX_RECORD_BYTES).ifPresent(config::maxRecordBytes);
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the file sink options (--"
                            + webDatasetOption
                            + ", --"
                            + avroOption
                            + ", --"
                            + SHARD_RECORDS
                            + ", --"
                            + SHARD_MAX_RECORD_BYTES
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The options that give {@code config} when applied; none when no sink is on. */
    public static List<String> of(
            FileSinkConfig config, String webDatasetOption, String avroOption) {
        List<String> args = new ArrayList<>();
        if (!config.enabled()) {
            return args;
        }
        if (config.webDatasetFolder() != null) {
            args.addAll(List.of("--" + webDatasetOption, config.webDatasetFolder()));
        }
        if (config.avroFolder() != null) {
            args.addAll(List.of("--" + avroOption, config.avroFolder()));
        }
        args.addAll(List.of("--" + SHARD_RECORDS, Integer.toString(config.recordsPerShard())));
        args.addAll(
                List.of("--" + SHARD_MAX_RECORD_BYTES, Integer.toString(config.maxRecordBytes())));
        return args;
    }

    private static Optional<Integer> number(JobArguments arguments, String name) {
        return arguments
                .jobOption(name)
                .map(
                        value -> {
                            try {
                                return Integer.parseInt(value.strip());
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException(
                                        "--" + name + " takes a number, got '" + value + "'");
                            }
                        });
    }
}
