package io.streamlip.ingest.formats;

import static io.streamlip.ingest.importer.WebFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportListener;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.importer.WebFixtures;
import io.streamlip.ingest.importer.WebFixtures.Member;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.PairProducer;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import io.streamlip.platform.kafka.TopicReader;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.SchemaBuilder;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each format, generated here, imported onto the raw topic of a real broker and read back. */
@Tag("integration")
class FileImportToKafkaTest {
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir Path dir;

    List<RawPair> importAndReadBack(String prefix, Path path, long limit, int expectedRejects)
            throws Exception {
        PipelineTopics topics = KAFKA.createTopics(prefix);
        PairImporter importer =
                ImportFormat.detect(path)
                        .open(
                                path,
                                ImportBounds.defaults(),
                                PairsFolderImporter.Options.defaults(),
                                NOW)
                        .limit(limit);
        List<RawPair> sent = new ArrayList<>();
        ImportStats stats;
        try (PairProducer producer = new PairProducer(KAFKA.clients(), topics.rawPairs())) {
            stats =
                    importer.importTo(
                            p -> {
                                sent.add(p);
                                producer.send(p);
                            },
                            ImportListener.NONE);
        }
        List<RawPair> read =
                TopicReader.readAll(
                        KAFKA.clients(), topics.rawPairs(), AvroSerde.of(RawPair.class));
        assertThat(stats.pairs()).isEqualTo(sent.size());
        assertThat(stats.rejected().total()).isEqualTo(expectedRejects);
        assertThat(read).containsExactlyInAnyOrderElementsOf(sent);
        return read;
    }

    @Test
    void parquetFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("laion"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(
                    row(
                            "URL",
                            "https://img.example/" + i + ".jpg",
                            "TEXT",
                            "caption " + i,
                            "WIDTH",
                            64.0));
        }
        rows.add(row("URL", "not a url", "TEXT", "refused"));
        var schema =
                SchemaBuilder.record("r")
                        .fields()
                        .optionalString("URL")
                        .optionalString("TEXT")
                        .optionalDouble("WIDTH")
                        .endRecord();
        WebFixtures.parquet(
                folder.resolve("part-0.parquet"), schema, rows, CompressionCodecName.SNAPPY);
        WebFixtures.parquet(
                folder.resolve("part-1.parquet"),
                schema,
                rows.subList(0, 5),
                CompressionCodecName.ZSTD);

        List<RawPair> read = importAndReadBack("parquet", folder, 0, 1);

        assertThat(read).hasSize(105);
        Map<String, RawPair> byId =
                read.stream().collect(Collectors.toMap(RawPair::getId, Function.identity()));
        RawPair p = byId.get("parquet:laion:part-1.parquet:3");
        assertThat(p.getImageUrl()).isEqualTo("https://img.example/2.jpg");
        assertThat(p.getImage()).isNull();
        assertThat(p.getAttributes()).containsEntry("width", "64");
    }

    @Test
    void tsvWithLimit() throws Exception {
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            tsv.append("caption ")
                    .append(i)
                    .append("\thttp://cc.example/")
                    .append(i)
                    .append(".jpg\n");
        }
        Path file = Files.writeString(dir.resolve("cc3m.tsv"), tsv);

        List<RawPair> read = importAndReadBack("tsv", file, 20, 0);

        assertThat(read).hasSize(20);
        assertThat(read).extracting(RawPair::getImageUrl).contains("http://cc.example/19.jpg");
    }

    @Test
    void jsonl() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("pairs.jsonl.txt"),
                        "{\"url\": \"https://a.example/1.jpg\", \"caption\": \"one\"}\n{\"oops\n");
        List<RawPair> read = importAndReadBack("jsonl", file, 0, 1);
        assertThat(read).extracting(RawPair::getAltText).containsExactly("one");
    }

    @Test
    void webDatasetShardsWithBytes() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("wds"));
        byte[] jpeg = TestImages.jpeg(32, 24);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String key = String.format("%09d", i);
            members.add(new Member(key + ".jpg", jpeg));
            members.add(Member.text(key + ".txt", "sample " + i));
            members.add(Member.text(key + ".json", "{\"url\": \"https://w.example/" + i + "\"}"));
        }
        members.add(Member.text("orphan.txt", "no image"));
        WebFixtures.tar(folder.resolve("00000.tar"), members);
        Files.writeString(folder.resolve("00000_stats.json"), "{}");

        List<RawPair> read = importAndReadBack("wds", folder, 0, 1);

        assertThat(read).hasSize(30);
        assertThat(read).allSatisfy(p -> assertThat(p.getImage()).isEqualTo(ByteBuffer.wrap(jpeg)));
        assertThat(read)
                .filteredOn(p -> p.getId().equals("webdataset:wds:00000.tar:000000007"))
                .singleElement()
                .satisfies(
                        p ->
                                assertThat(p.getAttributes())
                                        .containsEntry("url", "https://w.example/7"));
    }
}
