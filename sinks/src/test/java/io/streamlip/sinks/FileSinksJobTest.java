package io.streamlip.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.sinks.TestRecords.Member;
import io.streamlip.sinks.shards.ShardConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sinks in a Flink MiniCluster job that fails once mid-stream and recovers. */
@Tag("integration")
class FileSinksJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the injected failure happened (once per JVM). */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    @TempDir Path dir;

    @Test
    void shardsHoldEveryRecordExactlyOnceAcrossAFailureAndRestart() throws Exception {
        // The records travel through Flink's Avro serializer, which reads only trusted classes.
        trustSchemaClasses();
        int records = 60;
        int perShard = 7;
        JobSettings settings =
                JobSettings.defaults(dir.resolve("checkpoints")).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(150))
                        .restartPolicy(RestartPolicy.fixed(2, Duration.ofMillis(200)))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        DataStream<CuratedPair> pairs =
                env.fromData(
                                TestRecords.curated(0, records),
                                EnvelopeStage.avroType(CuratedPair.class))
                        .setParallelism(1)
                        .rebalance()
                        .map(
                                new FailOnceAfterACheckpoint(records),
                                EnvelopeStage.avroType(CuratedPair.class));
        Path tars = dir.resolve("wds");
        Path avro = dir.resolve("avro");
        FileSinks.addWebDataset(
                pairs,
                ShardConfig.builder()
                        .folder(tars.toString())
                        .prefix("shard")
                        .recordsPerShard(perShard)
                        .build());
        FileSinks.addAvro(
                pairs,
                CuratedPair.class,
                ShardConfig.builder().folder(avro.toString()).recordsPerShard(perShard).build());
        env.execute("file-sinks-test");
        assertThat(FAILED).isTrue();

        List<String> ids = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Path shard : visible(tars)) {
            assertThat(shard.getFileName().toString()).matches("shard-\\d{6}\\.tar");
            List<Member> members = TestRecords.readTar(shard);
            assertThat(members.size() % 3).isZero();
            sizes.add(members.size() / 3);
            for (int i = 0; i < members.size(); i += 3) {
                String key = members.get(i).name().substring(0, 13);
                assertThat(members.get(i + 1).name()).isEqualTo(key + ".txt");
                assertThat(members.get(i + 2).name()).isEqualTo(key + ".json");
                String id = JSON.readTree(members.get(i + 2).content()).get("id").asText();
                ids.add(id);
                int n = Integer.parseInt(id.substring("pair.".length()));
                assertThat(members.get(i + 1).text()).isEqualTo("caption " + n + " ünïcødé");
                assertThat(members.get(i).name()).endsWith(n % 2 == 0 ? ".png" : ".jpg");
            }
        }
        assertThat(ids)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(
                        TestRecords.curated(0, records).stream()
                                .map(p -> p.getPair().getId())
                                .toList());
        // Full shards, except at most one shorter last shard per parallel writer.
        assertThat(sizes.stream().filter(s -> s != perShard)).hasSizeLessThanOrEqualTo(2);

        List<CuratedPair> fromAvro = new ArrayList<>();
        for (Path file : visible(avro)) {
            try (DataFileReader<CuratedPair> reader =
                    new DataFileReader<>(
                            file.toFile(), new SpecificDatumReader<>(CuratedPair.class))) {
                reader.forEach(fromAvro::add);
            }
        }
        assertThat(fromAvro).containsExactlyInAnyOrderElementsOf(TestRecords.curated(0, records));
    }

    /** Passes records on slowly and fails once mid-stream, preferably after a checkpoint. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<CuratedPair, CuratedPair>
            implements CheckpointListener {
        private final int records;
        private int failAt;
        private int seen;
        private boolean checkpointed;

        FailOnceAfterACheckpoint(int records) {
            this.records = records;
        }

        @Override
        public void open(OpenContext context) {
            // Half of this subtask's share, whatever parallelism the map got.
            failAt =
                    Math.max(
                            2,
                            records
                                    / getRuntimeContext()
                                            .getTaskInfo()
                                            .getNumberOfParallelSubtasks()
                                    / 2);
        }

        @Override
        public CuratedPair map(CuratedPair value) throws Exception {
            if (!FAILED.get()) {
                Thread.sleep(30); // the first attempt is slow, so checkpoints complete mid-stream
            }
            // Fail after a checkpoint completed (a shard is then continued after the restart), or
            // at the latest near the end of this writer's share when the machine is too loaded for
            // a checkpoint to complete in time (the restart then starts over; still exactly once).
            seen++;
            boolean due = (seen >= failAt / 2 && checkpointed) || seen >= failAt;
            if (due && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    static void trustSchemaClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(CuratedPair.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            current, c -> c.getPackageName().equals("io.streamlip.schemas")));
        }
    }

    /** The shards a reader listing the folder sees, sorted (hidden temporary files excluded). */
    static List<Path> visible(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }
}
