package io.streamlip.sinks.shards;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.CuratedPair;
import io.streamlip.sinks.TestRecords;
import io.streamlip.sinks.webdataset.WebDatasetFormat;
import io.streamlip.sinks.webdataset.WebDatasetSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's last resort: a record the format still cannot write is skipped and counted. */
class ShardedFileSinkGuardTest {
    @TempDir Path dir;

    @Test
    void aRecordTheFormatRefusesIsSkippedAndTheShardStaysValid() throws Exception {
        WebDatasetFormat<CuratedPair> format =
                new WebDatasetFormat<>(
                        p -> {
                            if (p.getPair().getId().equals("pair.1")) {
                                throw new IllegalArgumentException(
                                        "cannot write " + p.getPair().getId());
                            }
                            return WebDatasetSamples.of(p);
                        });
        ShardConfig config =
                ShardConfig.builder().folder(dir.toString()).recordsPerShard(10).build();
        SimpleCounter unwritable = new SimpleCounter();
        try (ShardedFileSink.Writer<CuratedPair> writer =
                new ShardedFileSink.Writer<>(new ShardRoller<>(format, config, 0, 1), unwritable)) {
            for (CuratedPair p : TestRecords.curated(0, 3)) {
                writer.write(p, null);
            }
            writer.flush(true);
            List<ShardedFileSink.Committable> done = List.copyOf(writer.prepareCommit());
            assertThat(done).hasSize(1);
            assertThat(done.get(0).records()).isEqualTo(2);
            Path shard = Path.of(done.get(0).temp());
            assertThat(Files.exists(shard)).isTrue();
            assertThat(TestRecords.readTar(shard))
                    .extracting(TestRecords.Member::name)
                    .containsExactly(
                            "000000_000000.png",
                            "000000_000000.txt",
                            "000000_000000.json",
                            "000000_000001.png",
                            "000000_000001.txt",
                            "000000_000001.json");
        }
        assertThat(unwritable.getCount()).isEqualTo(1);
    }
}
