package io.streamlip.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.JobArguments;
import io.streamlip.sinks.shards.ShardConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job's file sink settings, and their job options ({@link FileSinkArguments}). */
class FileSinkConfigTest {
    private static final String WDS = "pairs-webdataset-dir";
    private static final String AVRO = "pairs-avro-dir";

    @Test
    void noSinkByDefaultAndShardsOfTheGivenSizeWhenOn() {
        FileSinkConfig none = FileSinkConfig.defaults();
        assertThat(none.enabled()).isFalse();
        assertThat(none.webDataset("curated")).isEmpty();
        assertThat(none.avro("curated")).isEmpty();
        assertThat(none.recordsPerShard())
                .isEqualTo(ShardConfig.builder().folder("x").build().recordsPerShard());

        FileSinkConfig on =
                FileSinkConfig.builder()
                        .webDatasetFolder("/shared/wds")
                        .recordsPerShard(5)
                        .maxRecordBytes(1000)
                        .build();
        assertThat(on.enabled()).isTrue();
        assertThat(on.avro("curated")).isEmpty();
        assertThat(on.webDataset("curated"))
                .contains(
                        ShardConfig.builder()
                                .folder("/shared/wds")
                                .prefix("curated")
                                .recordsPerShard(5)
                                .maxRecordBytes(1000)
                                .build());
    }

    @Test
    void aFolderIsALocalPathOrAFileUri() {
        assertThat(FileSinkConfig.builder().avroFolder("file:///mnt/shards").build().avroFolder())
                .isEqualTo("/mnt/shards");
        assertThatThrownBy(() -> FileSinkConfig.builder().webDatasetFolder("s3://b/wds").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webDatasetFolder must be a local or shared path")
                .hasMessageContaining("s3://b/wds");
        assertThatThrownBy(() -> FileSinkConfig.builder().avroFolder(" ").build())
                .hasMessageContaining("avroFolder must not be blank");
        assertThatThrownBy(() -> FileSinkConfig.builder().recordsPerShard(0).build())
                .hasMessageContaining("recordsPerShard must be positive, got 0");
        assertThatThrownBy(() -> FileSinkConfig.builder().maxRecordBytes(0).build())
                .hasMessageContaining("maxRecordBytes must be positive, got 0");
    }

    @Test
    void theJobOptionsGiveBackTheConfigTheyWereWrittenFrom() {
        FileSinkConfig config =
                FileSinkConfig.builder()
                        .webDatasetFolder("/shared/wds")
                        .avroFolder("/shared/avro")
                        .recordsPerShard(7)
                        .maxRecordBytes(4096)
                        .build();
        List<String> args = FileSinkArguments.of(config, WDS, AVRO);
        assertThat(args)
                .containsSubsequence("--" + WDS, "/shared/wds")
                .containsSubsequence("--" + AVRO, "/shared/avro")
                .containsSubsequence("--shard-records", "7")
                .containsSubsequence("--shard-max-record-bytes", "4096");
        assertThat(FileSinkArguments.apply(parse(args), WDS, AVRO)).isEqualTo(config);
        assertThat(FileSinkArguments.of(FileSinkConfig.defaults(), WDS, AVRO)).isEmpty();
        assertThat(FileSinkArguments.apply(parse(List.of()), WDS, AVRO))
                .isEqualTo(FileSinkConfig.defaults());
    }

    @Test
    void aBadValueIsRefusedNamingTheOptions() {
        assertThatThrownBy(
                        () ->
                                FileSinkArguments.apply(
                                        parse(List.of("--shard-records", "many")), WDS, AVRO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--shard-records takes a number, got 'many'");
        assertThatThrownBy(
                        () ->
                                FileSinkArguments.apply(
                                        parse(List.of("--" + AVRO, "hdfs://nn/avro")), WDS, AVRO))
                .hasMessageContaining("--" + AVRO)
                .hasMessageContaining("must be a local or shared path");
    }

    private static JobArguments parse(List<String> jobOptions) {
        List<String> all = new ArrayList<>(List.of("--bootstrap", "h:1", "--checkpoint-dir", "/c"));
        all.addAll(jobOptions);
        return JobArguments.parse(all.toArray(String[]::new), FileSinkArguments.names(WDS, AVRO));
    }
}
