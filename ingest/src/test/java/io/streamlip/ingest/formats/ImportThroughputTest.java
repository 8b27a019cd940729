package io.streamlip.ingest.formats;

import static io.streamlip.ingest.importer.WebFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.importer.WebFixtures;
import io.streamlip.ingest.importer.WebFixtures.Member;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RawPair;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records per second of each reader, side by side in one run (no broker: the importer alone).
 * Prints a table; asserts only that every record came through. Tagged integration: it writes some
 * tens of megabytes and takes tens of seconds.
 */
@Tag("integration")
class ImportThroughputTest {
    static final int URL_ROWS = 200_000;
    static final int SHARD_SAMPLES = 5_000;
    static final int ROUNDS = 3;

    @TempDir Path dir;

    @Test
    void eachFormatSideBySide() throws Exception {
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("parquet (snappy)", parquet());
        inputs.put("tsv", tsv());
        inputs.put("jsonl", jsonl());
        inputs.put("webdataset (64x48 jpeg)", shard());

        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, Path> input : inputs.entrySet()) {
                PairImporter importer =
                        ImportFormat.detect(input.getValue())
                                .open(
                                        input.getValue(),
                                        ImportBounds.defaults(),
                                        PairsFolderImporter.Options.defaults(),
                                        Instant.EPOCH);
                long start = System.nanoTime();
                long n = 0;
                long chars = 0;
                for (Iterator<RawPair> it = importer.pairs(); it.hasNext(); ) {
                    chars += it.next().getAltText().length();
                    n++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(chars).isPositive();
                assertThat(importer.rejected().total()).isZero();
                assertThat(n)
                        .isEqualTo(
                                input.getKey().startsWith("webdataset") ? SHARD_SAMPLES : URL_ROWS);
                rates.computeIfAbsent(input.getKey(), k -> new ArrayList<>()).add(n / seconds);
            }
        }
        System.out.println("format | records/s per round (one thread, rounds 1.." + ROUNDS + ")");
        rates.forEach(
                (format, r) ->
                        System.out.printf(
                                "%s | %s%n",
                                format, r.stream().map(x -> String.format("%,.0f", x)).toList()));
    }

    private static String caption(int i) {
        return "a photo of item " + i + " on a wooden table, by the window";
    }

    private Path parquet() throws Exception {
        Schema schema =
                SchemaBuilder.record("laion")
                        .fields()
                        .optionalString("URL")
                        .optionalString("TEXT")
                        .optionalDouble("WIDTH")
                        .optionalDouble("HEIGHT")
                        .optionalFloat("similarity")
                        .endRecord();
        List<Map<String, Object>> rows = new ArrayList<>(URL_ROWS);
        for (int i = 0; i < URL_ROWS; i++) {
            rows.add(
                    row(
                            "URL",
                            "https://images.example.com/p/" + i + "/photo.jpg",
                            "TEXT",
                            caption(i),
                            "WIDTH",
                            640.0,
                            "HEIGHT",
                            480.0,
                            "similarity",
                            0.31f));
        }
        return WebFixtures.parquet(
                dir.resolve("laion.parquet"), schema, rows, CompressionCodecName.SNAPPY);
    }

    private Path tsv() throws Exception {
        Path file = dir.resolve("cc3m.tsv");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < URL_ROWS; i++) {
                w.write(caption(i) + "\thttps://images.example.com/p/" + i + "/photo.jpg\n");
            }
        }
        return file;
    }

    private Path jsonl() throws Exception {
        Path file = dir.resolve("pairs.ndjson");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < URL_ROWS; i++) {
                w.write(
                        "{\"url\": \"https://images.example.com/p/"
                                + i
                                + "/photo.jpg\", \"caption\": \""
                                + caption(i)
                                + "\", \"width\": 640, \"height\": 480}\n");
            }
        }
        return file;
    }

    private Path shard() throws Exception {
        byte[] jpeg = TestImages.jpeg(64, 48);
        List<Member> members = new ArrayList<>(SHARD_SAMPLES * 3);
        for (int i = 0; i < SHARD_SAMPLES; i++) {
            String key = String.format("%09d", i);
            members.add(new Member(key + ".jpg", jpeg));
            members.add(Member.text(key + ".txt", caption(i)));
            members.add(
                    Member.text(
                            key + ".json",
                            "{\"url\": \"https://images.example.com/p/"
                                    + i
                                    + "\", \"width\": 64, \"height\": 48}"));
        }
        return WebFixtures.tar(dir.resolve("00000.tar"), members);
    }
}
