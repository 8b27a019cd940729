package io.streamlip.ingest.formats;

import static io.streamlip.ingest.importer.WebFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.importer.WebFixtures;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.ingest.parquet.ParquetImporter;
import io.streamlip.platform.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.SchemaBuilder;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportFormatTest {
    @TempDir Path dir;

    Path parquet(Path file) throws Exception {
        return WebFixtures.parquet(
                file,
                SchemaBuilder.record("r")
                        .fields()
                        .optionalString("url")
                        .optionalString("caption")
                        .endRecord(),
                List.of(row("url", "https://a.example/1.jpg", "caption", "c")),
                CompressionCodecName.SNAPPY);
    }

    @Test
    void byExtension() throws Exception {
        assertThat(ImportFormat.detect(parquet(dir.resolve("a.parquet"))))
                .isEqualTo(ImportFormat.PARQUET);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("a.tsv"), "")))
                .isEqualTo(ImportFormat.TSV);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("a.ndjson"), "")))
                .isEqualTo(ImportFormat.JSONL);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("a.JSONL"), "")))
                .isEqualTo(ImportFormat.JSONL);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("s.tar"), "")))
                .isEqualTo(ImportFormat.WEBDATASET);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("pairs.jsonl"), "")))
                .isEqualTo(ImportFormat.FOLDER);
    }

    @Test
    void byContentWhenTheExtensionSaysNothing() throws Exception {
        Path p = parquet(dir.resolve("p.parquet"));
        assertThat(ImportFormat.detect(Files.move(p, dir.resolve("p.bin"))))
                .isEqualTo(ImportFormat.PARQUET);
        Path t =
                WebFixtures.tar(
                        dir.resolve("t.tar"),
                        List.of(new WebFixtures.Member("k.png", TestImages.png(4, 4))));
        assertThat(ImportFormat.detect(Files.move(t, dir.resolve("shard"))))
                .isEqualTo(ImportFormat.WEBDATASET);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("j.txt"), "\n {\"url\": 1}")))
                .isEqualTo(ImportFormat.JSONL);
        assertThat(ImportFormat.detect(Files.writeString(dir.resolve("cc.txt"), "cap\thttp://x/")))
                .isEqualTo(ImportFormat.TSV);
        Path unknown = Files.writeString(dir.resolve("what.txt"), "no tabs, no braces");
        assertThatThrownBy(() -> ImportFormat.detect(unknown))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--format");
    }

    @Test
    void foldersPreferTarShardsThenParquetAndPairsFoldersWin() throws Exception {
        Path img2dataset = Files.createDirectories(dir.resolve("out"));
        parquet(img2dataset.resolve("00000.parquet"));
        WebFixtures.tar(
                img2dataset.resolve("00000.tar"),
                List.of(new WebFixtures.Member("k.png", TestImages.png(4, 4))));
        Files.writeString(img2dataset.resolve("00000_stats.json"), "{}");
        assertThat(ImportFormat.detect(img2dataset)).isEqualTo(ImportFormat.WEBDATASET);

        Path laion = Files.createDirectories(dir.resolve("laion"));
        parquet(laion.resolve("part-1.parquet"));
        parquet(laion.resolve("part-0.parquet"));
        Files.writeString(laion.resolve("README.md"), "x");
        assertThat(ImportFormat.detect(laion)).isEqualTo(ImportFormat.PARQUET);
        PairImporter importer =
                ImportFormat.PARQUET.open(
                        laion,
                        ImportBounds.defaults(),
                        PairsFolderImporter.Options.defaults(),
                        Instant.EPOCH);
        assertThat(importer).isInstanceOf(ParquetImporter.class);
        assertThat(((ParquetImporter) importer).files())
                .extracting(f -> f.getFileName().toString())
                .containsExactly("part-0.parquet", "part-1.parquet");
        assertThat(importer.name()).isEqualTo("parquet:laion");

        Files.writeString(laion.resolve("pairs.jsonl"), "");
        assertThat(ImportFormat.detect(laion)).isEqualTo(ImportFormat.FOLDER);

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> ImportFormat.detect(empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                ImportFormat.TSV.open(
                                        laion,
                                        ImportBounds.defaults(),
                                        PairsFolderImporter.Options.defaults(),
                                        Instant.EPOCH))
                .hasMessageContaining(".tsv");
        assertThat(ImportFormat.of("WebDataset")).isEqualTo(ImportFormat.WEBDATASET);
    }
}
