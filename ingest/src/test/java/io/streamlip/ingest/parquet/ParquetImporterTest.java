package io.streamlip.ingest.parquet;

import static io.streamlip.ingest.importer.WebFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.ingest.importer.WebFixtures;
import io.streamlip.schemas.RawPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParquetImporterTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    /** LAION-400M's metadata columns (sizes as doubles, as its files have them). */
    static final Schema LAION =
            SchemaBuilder.record("laion")
                    .fields()
                    .optionalLong("SAMPLE_ID")
                    .optionalString("URL")
                    .optionalString("TEXT")
                    .optionalDouble("HEIGHT")
                    .optionalDouble("WIDTH")
                    .optionalString("LICENSE")
                    .optionalString("LANGUAGE")
                    .optionalDouble("NSFW_PROB")
                    .optionalFloat("similarity")
                    .endRecord();

    /** DataComp's metadata columns. */
    static final Schema DATACOMP =
            SchemaBuilder.record("datacomp")
                    .fields()
                    .requiredString("uid")
                    .requiredString("url")
                    .optionalString("text")
                    .optionalLong("original_width")
                    .optionalLong("original_height")
                    .optionalDouble("clip_l14_similarity_score")
                    .endRecord();

    @TempDir Path dir;

    static List<RawPair> drain(ParquetImporter importer) {
        List<RawPair> out = new ArrayList<>();
        importer.pairs().forEachRemaining(out::add);
        return out;
    }

    ParquetImporter open(Path file) {
        return new ParquetImporter(file, List.of(file), ImportBounds.defaults(), NOW);
    }

    @Test
    void runsWithoutHadoopOnTheClasspath() {
        assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @ParameterizedTest
    @EnumSource(
            value = CompressionCodecName.class,
            names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW", "LZ4"})
    void readsLaionColumnsWithEachCodec(CompressionCodecName codec) throws Exception {
        Path file =
                WebFixtures.parquet(
                        dir.resolve("part-00000.parquet"),
                        LAION,
                        List.of(
                                row(
                                        "SAMPLE_ID",
                                        7L,
                                        "URL",
                                        "https://img.example/a.jpg",
                                        "TEXT",
                                        "a red bus",
                                        "HEIGHT",
                                        480.0,
                                        "WIDTH",
                                        640.0,
                                        "LANGUAGE",
                                        "en",
                                        "similarity",
                                        0.3125f),
                                row("URL", "http://img.example/b.png", "TEXT", "ein Hund")),
                        codec);

        ParquetImporter importer = open(file);
        List<RawPair> pairs = drain(importer);

        assertThat(importer.expectedPairs()).isEqualTo(2);
        assertThat(importer.rejected().total()).isZero();
        assertThat(pairs).hasSize(2);
        RawPair a = pairs.get(0);
        assertThat(a.getId()).isEqualTo("parquet:part-00000.parquet:1");
        assertThat(a.getSource()).isEqualTo("parquet:part-00000.parquet");
        assertThat(a.getImageUrl()).isEqualTo("https://img.example/a.jpg");
        assertThat(a.getImage()).isNull();
        assertThat(a.getAltText()).isEqualTo("a red bus");
        assertThat(a.getLangHint()).isEqualTo("en");
        assertThat(a.getCrawlTime()).isEqualTo(NOW);
        assertThat(a.getAttributes())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "width",
                                "640",
                                "height",
                                "480",
                                "similarity",
                                "0.3125",
                                "key",
                                "7"));
        RawPair b = pairs.get(1);
        assertThat(b.getId()).isEqualTo("parquet:part-00000.parquet:2");
        assertThat(b.getLangHint()).isNull();
        assertThat(b.getAttributes()).isEmpty();
    }

    @Test
    void lz4PagesAsRawBlocksAreReadAndBrotliIsRefusedByName() throws Exception {
        byte[] page = "a page of text, a page of text, a page of text".getBytes();
        byte[] block = net.jpountz.lz4.LZ4Factory.safeInstance().fastCompressor().compress(page);
        var lz4 = PlainCodecs.INSTANCE.getDecompressor(CompressionCodecName.LZ4);
        assertThat(
                        lz4.decompress(org.apache.parquet.bytes.BytesInput.from(block), page.length)
                                .toByteArray())
                .isEqualTo(page);
        var brotli = PlainCodecs.INSTANCE.getDecompressor(CompressionCodecName.BROTLI);
        assertThatThrownBy(
                        () ->
                                brotli.decompress(
                                        org.apache.parquet.bytes.BytesInput.from(block),
                                        page.length))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("BROTLI is not supported")
                .hasMessageContaining("no pure-Java Brotli decoder");
        var raw = PlainCodecs.INSTANCE.getDecompressor(CompressionCodecName.LZ4_RAW);
        assertThatThrownBy(
                        () ->
                                raw.decompress(
                                        org.apache.parquet.bytes.BytesInput.from(
                                                java.util.Arrays.copyOf(block, block.length / 2)),
                                        page.length))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void readsDataCompColumnsAcrossRowGroupsAndFiles() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("datacomp"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            rows.add(
                    row(
                            "uid", "u" + i,
                            "url", "https://cdn.example/" + i + ".jpg",
                            "text", "caption number " + i + " " + "x".repeat(i % 50),
                            "original_width", 100L + i,
                            "original_height", 50L));
        }
        Path first =
                WebFixtures.parquet(
                        folder.resolve("0000.parquet"),
                        DATACOMP,
                        rows,
                        CompressionCodecName.SNAPPY);
        Path second =
                WebFixtures.parquet(
                        folder.resolve("0001.parquet"),
                        DATACOMP,
                        rows.subList(0, 10),
                        CompressionCodecName.ZSTD);

        ParquetImporter importer =
                new ParquetImporter(folder, List.of(first, second), ImportBounds.defaults(), NOW);
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).hasSize(3010);
        assertThat(importer.expectedPairs()).isEqualTo(3010);
        assertThat(pairs.get(2999).getId()).isEqualTo("parquet:datacomp:0000.parquet:3000");
        assertThat(pairs.get(2999).getImageUrl()).isEqualTo("https://cdn.example/2999.jpg");
        assertThat(pairs.get(2999).getAttributes())
                .containsEntry("width", "3099")
                .containsEntry("height", "50")
                .containsEntry("key", "u2999");
        assertThat(pairs.get(3000).getId()).isEqualTo("parquet:datacomp:0001.parquet:1");
    }

    @Test
    void refusesBadRowsAndGoesOn() throws Exception {
        Path file =
                WebFixtures.parquet(
                        dir.resolve("bad.parquet"),
                        LAION,
                        List.of(
                                row("URL", null, "TEXT", "no url"),
                                row("URL", "ftp://x.example/a.jpg", "TEXT", "wrong scheme"),
                                row("URL", "https://x.example/a.jpg", "TEXT", null),
                                row("URL", "https://x.example/a.jpg", "TEXT", "y".repeat(20)),
                                row("URL", "https://x.example/" + "p".repeat(100), "TEXT", "t"),
                                row("URL", "https://ok.example/a.jpg", "TEXT", "fine")),
                        CompressionCodecName.SNAPPY);
        ParquetImporter importer =
                new ParquetImporter(
                        file,
                        List.of(file),
                        ImportBounds.builder().maxCaptionChars(10).maxUrlChars(80).build(),
                        NOW);

        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("fine");
        ImportRejects rejected = importer.rejected();
        assertThat(rejected.perReason())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("missing_field", 2L, "bad_url", 1L, "field_too_large", 2L));
        assertThat(rejected.examples().get(0).line()).isEqualTo(1);
        assertThat(rejected.examples().get(0).detail()).startsWith("bad.parquet: ");
    }

    @Test
    void refusesAFileWithoutUrlColumnOnce() throws Exception {
        Schema noUrl = SchemaBuilder.record("r").fields().optionalString("TEXT").endRecord();
        Path file =
                WebFixtures.parquet(
                        dir.resolve("nourl.parquet"),
                        noUrl,
                        List.of(row("TEXT", "a"), row("TEXT", "b")),
                        CompressionCodecName.UNCOMPRESSED);
        ParquetImporter importer = open(file);

        assertThat(drain(importer)).isEmpty();
        assertThat(importer.rejected().perReason())
                .containsExactly(Map.entry("missing_column", 1L));
        assertThat(importer.rejected().examples().get(0).detail()).contains("TEXT");
    }

    @Test
    void corruptOrTruncatedFilesAreUnreadableNotCrashes() throws Exception {
        Path good =
                WebFixtures.parquet(
                        dir.resolve("good.parquet"),
                        LAION,
                        List.of(row("URL", "https://a.example/1.jpg", "TEXT", "one")),
                        CompressionCodecName.SNAPPY);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated =
                Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
        Path garbage = Files.write(dir.resolve("junk.parquet"), "PAR1 not really".getBytes());
        byte[] flipped = bytes.clone();
        for (int i = 4; i < flipped.length / 2; i++) {
            flipped[i] ^= 0x5a;
        }
        Path corrupt = Files.write(dir.resolve("flipped.parquet"), flipped);

        ParquetImporter importer =
                new ParquetImporter(
                        dir,
                        List.of(truncated, garbage, corrupt, good),
                        ImportBounds.defaults(),
                        NOW);
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("one");
        assertThat(importer.rejected().perReason()).containsOnlyKeys("unreadable");
        assertThat(importer.rejected().total()).isEqualTo(3);
    }
}
