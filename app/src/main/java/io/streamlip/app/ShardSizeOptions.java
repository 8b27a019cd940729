package io.streamlip.app;

import io.streamlip.sinks.FileSinkArguments;
import io.streamlip.sinks.FileSinkConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The size of the file sinks' shards on a command line ({@code demo}, {@code submit}): {@code
 * --shard-records N} and {@code --shard-max-record-bytes N} ({@link FileSinkConfig}, the job
 * options of {@link FileSinkArguments}).
 */
final class ShardSizeOptions {
    private static final FileSinkConfig DEFAULTS = FileSinkConfig.defaults();

    @Option(
            names = "--" + FileSinkArguments.SHARD_RECORDS,
            paramLabel = "N",
            description =
                    "Records in each WebDataset or Avro shard; a shard appears (renamed from a"
                            + " hidden .inprogress file) once it is full and a checkpoint has"
                            + " completed (default: ${DEFAULT-VALUE}).")
    int recordsPerShard = DEFAULTS.recordsPerShard();

    @Option(
            names = "--" + FileSinkArguments.SHARD_MAX_RECORD_BYTES,
            paramLabel = "N",
            description =
                    "A record larger than N bytes is not written to a shard but rejected as"
                            + " sink_unwritable (default: ${DEFAULT-VALUE}).")
    int maxRecordBytes = DEFAULTS.maxRecordBytes();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /**
     * The file sinks writing to {@code webDatasetFolder} and {@code avroFolder} (null: none), at
     * this shard size.
     *
     * @throws CommandLine.ParameterException when a value is invalid
     */
    FileSinkConfig fileSinks(String webDatasetFolder, String avroFolder) {
        try {
            return FileSinkConfig.builder()
                    .webDatasetFolder(webDatasetFolder)
                    .avroFolder(avroFolder)
                    .recordsPerShard(recordsPerShard)
                    .maxRecordBytes(maxRecordBytes)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
