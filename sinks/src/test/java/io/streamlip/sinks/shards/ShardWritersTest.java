package io.streamlip.sinks.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.sinks.FileSinks;
import io.streamlip.sinks.TestRecords;
import io.streamlip.sinks.TestRecords.Member;
import io.streamlip.sinks.avro.AvroFileFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain writers and the shard roll-over logic, without Flink. */
class ShardWritersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void webDatasetShardsHoldAFixedNumberOfAdjacentSamplesUnderDotFreeKeys() throws Exception {
        ShardConfig config =
                ShardConfig.builder()
                        .folder(dir.toString())
                        .prefix("pairs")
                        .recordsPerShard(4)
                        .build();
        try (ShardedFileWriter<CuratedPair> writer =
                FileSinks.writer(FileSinks.webDatasetOfPairs(), config)) {
            for (CuratedPair p : TestRecords.curated(0, 10)) {
                writer.write(p);
            }
            // Two complete shards are visible before the end; the third is not.
            assertThat(visible()).containsExactly("pairs-000000.tar", "pairs-000001.tar");
            writer.close();
            assertThat(writer.shards())
                    .extracting(p -> p.getFileName().toString())
                    .containsExactly("pairs-000000.tar", "pairs-000001.tar", "pairs-000002.tar");
        }
        assertThat(listing())
                .containsExactly("pairs-000000.tar", "pairs-000001.tar", "pairs-000002.tar");

        List<Member> first = TestRecords.readTar(dir.resolve("pairs-000000.tar"));
        assertThat(first)
                .extracting(Member::name)
                .containsExactly(
                        "000000_000000.png",
                        "000000_000000.txt",
                        "000000_000000.json",
                        "000000_000001.jpg",
                        "000000_000001.txt",
                        "000000_000001.json",
                        "000000_000002.png",
                        "000000_000002.txt",
                        "000000_000002.json",
                        "000000_000003.jpg",
                        "000000_000003.txt",
                        "000000_000003.json");
        // ustar headers, regular files, mode 0644, owner 0.
        assertThat(first)
                .allSatisfy(
                        m -> {
                            assertThat(m.entry().isFile()).isTrue();
                            assertThat(m.entry().getMode() & 0777).isEqualTo(0644);
                            assertThat(m.entry().getLongUserId()).isZero();
                        });
        byte[] header = new byte[512];
        try (var in = Files.newInputStream(dir.resolve("pairs-000000.tar"))) {
            assertThat(in.read(header)).isEqualTo(512);
        }
        assertThat(new String(header, TarConstants.MAGIC_OFFSET, 5, "US-ASCII")).isEqualTo("ustar");
        // A tar ends with two zero records, on a 512-byte boundary.
        assertThat(Files.size(dir.resolve("pairs-000000.tar")) % 512).isZero();

        assertThat(first.get(0).content()).isEqualTo(TestRecords.png());
        assertThat(first.get(3).content()).isEqualTo(TestRecords.jpeg());
        assertThat(first.get(1).text()).isEqualTo("caption 0 ünïcødé");
        JsonNode json = JSON.readTree(first.get(11).content());
        assertThat(json.get("id").asText()).isEqualTo("pair.3");
        assertThat(json.get("alt_text").asText()).isEqualTo("caption  3");
        assertThat(json.get("crossmodal_score").asDouble()).isEqualTo(0.25);
        assertThat(json.get("model_version").asText()).isEqualTo("run/step-1");
        assertThat(JSON.readTree(first.get(2).content()).has("crossmodal_score")).isFalse();

        List<Member> last = TestRecords.readTar(dir.resolve("pairs-000002.tar"));
        assertThat(last).hasSize(6); // the 2 samples left over
        assertThat(JSON.readTree(last.get(5).content()).get("id").asText()).isEqualTo("pair.9");

        // A second run into the same folder continues the numbering and replaces nothing.
        try (ShardedFileWriter<CuratedPair> again =
                FileSinks.writer(FileSinks.webDatasetOfPairs(), config)) {
            again.write(TestRecords.curated(42));
        }
        assertThat(listing()).contains("pairs-000003.tar").hasSize(4);
        assertThat(TestRecords.readTar(dir.resolve("pairs-000003.tar")).get(0).name())
                .isEqualTo("000003_000000.png");
    }

    @Test
    void avroFilesReadBackWithDataFileReader() throws Exception {
        ShardConfig config =
                ShardConfig.builder().folder(dir.toString()).recordsPerShard(3).build();
        try (ShardedFileWriter<CuratedPair> writer =
                FileSinks.writer(AvroFileFormat.of(CuratedPair.class), config)) {
            for (CuratedPair p : TestRecords.curated(0, 7)) {
                writer.write(p);
            }
        }
        assertThat(listing())
                .containsExactly("part-000000.avro", "part-000001.avro", "part-000002.avro");
        List<CuratedPair> back = new ArrayList<>();
        for (String name : listing()) {
            back.addAll(readAvro(dir.resolve(name)));
        }
        assertThat(back).isEqualTo(TestRecords.curated(0, 7));
    }

    @Test
    void aShardOpenAtACheckpointContinuesFromItsSyncedLengthAfterACrash() throws Exception {
        for (ShardFormat<CuratedPair> format :
                List.of(FileSinks.webDatasetOfPairs(), AvroFileFormat.of(CuratedPair.class))) {
            Path folder = Files.createDirectories(dir.resolve(format.extension()));
            ShardConfig config =
                    ShardConfig.builder().folder(folder.toString()).recordsPerShard(5).build();
            ShardRoller.OpenShard checkpoint;
            try (ShardRoller<CuratedPair> first = new ShardRoller<>(format, config, 0, 1)) {
                for (CuratedPair p : TestRecords.curated(0, 7)) {
                    first.write(p);
                }
                assertThat(first.takeCompleted()).hasSize(1); // records 0-4
                checkpoint = first.openShard(); // records 5, 6
                first.write(TestRecords.curated(100)); // written after the checkpoint: lost
                first.write(TestRecords.curated(101));
                first.openShard(); // even synced
            } // the task dies
            assertThat(checkpoint.number()).isEqualTo(1);
            assertThat(checkpoint.records()).isEqualTo(2);

            try (ShardRoller<CuratedPair> second = new ShardRoller<>(format, config, 0, 1)) {
                second.resume(checkpoint);
                for (CuratedPair p : TestRecords.curated(7, 11)) { // the replay
                    second.write(p);
                }
                List<ShardRoller.Completed> done = second.takeCompleted();
                assertThat(done).hasSize(1);
                assertThat(done.get(0).number()).isEqualTo(1);
                assertThat(done.get(0).records()).isEqualTo(5);
                Path shard = done.get(0).temp();
                if (format.extension().equals("tar")) {
                    List<Member> members = TestRecords.readTar(shard);
                    assertThat(members).hasSize(15);
                    assertThat(members.stream().filter(m -> m.name().endsWith(".txt")))
                            .extracting(Member::text)
                            .containsExactly(
                                    "caption 5 ünïcødé",
                                    "caption 6 ünïcødé",
                                    "caption 7 ünïcødé",
                                    "caption 8 ünïcødé",
                                    "caption 9 ünïcødé");
                    assertThat(members.get(6).name()).isEqualTo("000001_000002.jpg");
                } else {
                    assertThat(readAvro(shard)).isEqualTo(TestRecords.curated(5, 10));
                }
                // The next shard is numbered above everything in the folder.
                assertThat(second.openShard().number()).isEqualTo(2);
            }
        }
    }

    @Test
    void parallelWritersUseDisjointNumbers() throws Exception {
        ShardConfig config =
                ShardConfig.builder().folder(dir.toString()).recordsPerShard(1).build();
        Files.createFile(dir.resolve("part-000004.tar"));
        // Three writers start together (as a job's subtasks do), then write.
        List<ShardRoller<CuratedPair>> rollers = new ArrayList<>();
        for (int index = 0; index < 3; index++) {
            rollers.add(new ShardRoller<>(FileSinks.webDatasetOfPairs(), config, index, 3));
        }
        List<Long> numbers = new ArrayList<>();
        for (ShardRoller<CuratedPair> roller : rollers) {
            roller.write(TestRecords.curated(0));
            roller.write(TestRecords.curated(1));
            roller.takeCompleted().forEach(c -> numbers.add(c.number()));
            roller.close();
        }
        assertThat(numbers).containsExactly(6L, 9L, 7L, 10L, 5L, 8L);
    }

    @Test
    void refusesPrefixesReadersWouldMisread() {
        assertThatThrownBy(() -> ShardConfig.builder().folder(dir.toString()).prefix("a.b").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(
                        () ->
                                ShardConfig.builder()
                                        .folder(dir.toString())
                                        .recordsPerShard(0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    static List<CuratedPair> readAvro(Path file) throws IOException {
        trustSchemaClasses();
        List<CuratedPair> out = new ArrayList<>();
        try (DataFileReader<CuratedPair> reader =
                new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(CuratedPair.class))) {
            reader.forEach(out::add);
        }
        return out;
    }

    /** Avro 1.12 instantiates only trusted classes when reading; trust the generated records. */
    static void trustSchemaClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!current.isTrusted(CuratedPair.class)) {
            ClassSecurityValidator.setGlobal(
                    ClassSecurityValidator.composite(
                            current, c -> c.getPackageName().equals("io.streamlip.schemas")));
        }
    }

    private List<String> visible() throws IOException {
        return listing();
    }

    /** Names a reader globbing the folder sees (hidden temporary files excluded), sorted. */
    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .filter(n -> !Files.isDirectory(dir.resolve(n)))
                    .sorted()
                    .toList();
        }
    }
}
