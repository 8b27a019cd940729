package io.streamlip.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.flink.JobEnvironment;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import io.streamlip.sinks.shards.ShardConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the file sinks cannot write become {@code sink_unwritable} rejects in a MiniCluster job
 * that has no restarts to spend: it finishes, with the good records in shards.
 */
@Tag("integration")
class FileSinksRejectsJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int LIMIT = 64 * 1024;

    @TempDir Path dir;

    /** Pair {@code i} with its raw pair changed by {@code edit}. */
    static CuratedPair with(
            int i, String format, java.util.function.Consumer<RawPair.Builder> edit) {
        FileSinksJobTest.trustSchemaClasses(); // the builders deep-copy through Avro
        CuratedPair p = TestRecords.curated(i);
        RawPair.Builder raw = RawPair.newBuilder(p.getPair());
        edit.accept(raw);
        return CuratedPair.newBuilder(p).setPair(raw.build()).setImageFormat(format).build();
    }

    /** A pair whose image claims to be a GIF but does not decode (re-encoding as PNG fails). */
    static CuratedPair undecodableGif(int i) {
        return with(
                i,
                "gif",
                r ->
                        r.setId("bad-gif." + i)
                                .setImage(ByteBuffer.wrap("GIF89a not really".getBytes())));
    }

    /** A pair carrying no image bytes (only a URL). */
    static CuratedPair noImage(int i) {
        return with(
                i,
                "png",
                r ->
                        r.setId("no-image." + i)
                                .setImage(null)
                                .setImageUrl("https://example.org/" + i + ".png"));
    }

    /** A pair larger than the shards' record bound. */
    static CuratedPair oversized(int i) {
        byte[] big = new byte[LIMIT + 1000];
        new Random(i).nextBytes(big);
        return with(i, "png", r -> r.setId("oversized." + i).setImage(ByteBuffer.wrap(big)));
    }

    @Test
    void unwritableRecordsBecomeRejectsAndTheJobFinishesWithoutARestart() throws Exception {
        FileSinksJobTest.trustSchemaClasses();
        List<CuratedPair> input = new ArrayList<>();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            CuratedPair p =
                    switch (i % 6) {
                        case 1 -> undecodableGif(i);
                        case 3 -> noImage(i);
                        case 5 -> oversized(i);
                        default -> TestRecords.curated(i);
                    };
            if (i % 2 == 0) {
                good.add(p.getPair().getId());
            }
            input.add(p);
        }
        JobSettings settings =
                JobSettings.defaults(dir.resolve("checkpoints")).toBuilder()
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(200))
                        .restartPolicy(RestartPolicy.fixed(0, Duration.ofMillis(100)))
                        .build();
        StreamExecutionEnvironment env = JobEnvironment.create(settings);
        DataStream<CuratedPair> pairs =
                env.fromData(input, EnvelopeStage.avroType(CuratedPair.class))
                        .setParallelism(1)
                        .rebalance();
        ShardConfig shards =
                ShardConfig.builder()
                        .folder(dir.toString())
                        .recordsPerShard(5)
                        .maxRecordBytes(LIMIT)
                        .build();
        FileSinks.Added<?> wds =
                FileSinks.addWebDataset(
                        pairs, shards.toBuilder().prefix("wds").recordsPerShard(5).build());
        FileSinks.Added<?> avro =
                FileSinks.addAvro(
                        pairs, CuratedPair.class, shards.toBuilder().prefix("avro").build());
        DataStream<Reject> rejects = wds.rejects().union(avro.rejects());
        FileSinks.addAvro(rejects, Reject.class, ShardConfig.defaults(dir.resolve("rejects")));
        // No restarts allowed: a record that failed a sink would fail the job here.
        JobExecutionResult result = env.execute("file-sinks-rejects-test");
        assertThat(result.getJobExecutionResult()).isNotNull();

        List<String> inTars = new ArrayList<>();
        for (Path shard : FileSinksJobTest.visible(dir)) {
            String name = shard.getFileName().toString();
            if (name.startsWith("wds-")) {
                List<TestRecords.Member> members = TestRecords.readTar(shard);
                assertThat(members.size() % 3).isZero();
                for (int i = 2; i < members.size(); i += 3) {
                    inTars.add(JSON.readTree(members.get(i).content()).get("id").asText());
                }
            }
        }
        assertThat(inTars).containsExactlyInAnyOrderElementsOf(good);

        List<String> inAvro = new ArrayList<>();
        for (Path file : FileSinksJobTest.visible(dir)) {
            if (file.getFileName().toString().startsWith("avro-")) {
                for (CuratedPair p : read(file, CuratedPair.class)) {
                    inAvro.add(p.getPair().getId());
                }
            }
        }
        // The Avro files take everything but the oversized records.
        assertThat(inAvro)
                .containsExactlyInAnyOrderElementsOf(
                        input.stream()
                                .map(p -> p.getPair().getId())
                                .filter(id -> !id.startsWith("oversized"))
                                .toList());

        Map<String, Reject> byKey = new TreeMap<>();
        for (Path file : FileSinksJobTest.visible(dir.resolve("rejects"))) {
            for (Reject r : read(file, Reject.class)) {
                assertThat(byKey.put(r.getStage() + " " + r.getId(), r)).isNull();
            }
        }
        List<String> expected = new ArrayList<>();
        for (CuratedPair p : input) {
            String id = p.getPair().getId();
            if (!good.contains(id)) {
                expected.add(FileSinks.WEBDATASET_STAGE + " " + id);
            }
            if (id.startsWith("oversized")) {
                expected.add(FileSinks.AVRO_STAGE + " " + id);
            }
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        AvroSerde<CuratedPair> serde = AvroSerde.of(CuratedPair.class);
        for (Reject r : byKey.values()) {
            assertThat(r.getReason()).isEqualTo(RejectReason.SINK_UNWRITABLE.code());
            assertThat(r.getDetail()).isNotBlank().hasSizeLessThanOrEqualTo(1000);
            assertThat(new String(bytes(r.getKey()))).isEqualTo(r.getId());
            if (r.getId().startsWith("oversized")) {
                assertThat(r.getDetail()).contains("exceeds the shard's record bound of " + LIMIT);
            } else {
                // small enough to carry the record itself, so nothing is lost
                assertThat(serde.decode(bytes(r.getPayload())).getPair().getId())
                        .isEqualTo(r.getId());
            }
        }
        assertThat(byKey.get(FileSinks.WEBDATASET_STAGE + " bad-gif.1").getDetail())
                .contains("does not decode");
        assertThat(byKey.get(FileSinks.WEBDATASET_STAGE + " no-image.3").getDetail())
                .contains("no image bytes");
    }

    static <T> List<T> read(Path file, Class<T> type) throws Exception {
        List<T> out = new ArrayList<>();
        try (DataFileReader<T> reader =
                new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            reader.forEach(out::add);
        }
        return out;
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
