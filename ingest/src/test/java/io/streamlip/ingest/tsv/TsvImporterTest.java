package io.streamlip.ingest.tsv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.schemas.RawPair;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsvImporterTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    @TempDir Path dir;

    static List<RawPair> drain(TsvImporter importer) {
        List<RawPair> out = new ArrayList<>();
        importer.pairs().forEachRemaining(out::add);
        return out;
    }

    TsvImporter open(Path file, ImportBounds bounds) {
        return new TsvImporter(file, List.of(file), bounds, NOW);
    }

    @Test
    void readsCc3mAndCc12mColumnOrders() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("Train_GCC-training.tsv"),
                        "a very typical bus station\thttp://a.example/1.jpg\n"
                                + "https://b.example/2.png\tsierra-nevada <PERSON> at dusk\r\n"
                                + "\n"
                                + "caption with ünïcode\thttps://c.example/3.jpg");

        TsvImporter importer = open(file, ImportBounds.defaults());
        List<RawPair> pairs = drain(importer);

        assertThat(importer.rejected().total()).isZero();
        assertThat(pairs)
                .extracting(RawPair::getId, RawPair::getImageUrl, RawPair::getAltText)
                .containsExactly(
                        tuple(
                                "tsv:Train_GCC-training.tsv:1",
                                "http://a.example/1.jpg",
                                "a very typical bus station"),
                        tuple(
                                "tsv:Train_GCC-training.tsv:2",
                                "https://b.example/2.png",
                                "sierra-nevada <PERSON> at dusk"),
                        tuple(
                                "tsv:Train_GCC-training.tsv:4",
                                "https://c.example/3.jpg",
                                "caption with ünïcode"));
        assertThat(pairs.get(0).getImage()).isNull();
        assertThat(pairs.get(0).getSource()).isEqualTo("tsv:Train_GCC-training.tsv");
    }

    @Test
    void aHeaderNamesTheColumns() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("list.tsv"),
                        "key\tURL\tTEXT\tLANGUAGE\tWIDTH\n"
                                + "0\thttps://a.example/x.jpg\thttp://not-the-url.example\tde\t320\n");

        List<RawPair> pairs = drain(open(file, ImportBounds.defaults()));

        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0).getImageUrl()).isEqualTo("https://a.example/x.jpg");
        assertThat(pairs.get(0).getAltText()).isEqualTo("http://not-the-url.example");
        assertThat(pairs.get(0).getLangHint()).isEqualTo("de");
        assertThat(pairs.get(0).getAttributes()).isEqualTo(Map.of("width", "320"));
        assertThat(pairs.get(0).getId()).endsWith(":2");
    }

    @Test
    void badLinesAreCountedAndTheRestImported() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("only one column\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes("no url here\tnor here\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xff, '\t'});
        out.writeBytes("http://x.example/1.jpg\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(("x".repeat(300) + "\thttp://x.example/2.jpg\n").getBytes());
        out.writeBytes("three\tcolumns\thttp://x.example/3.jpg\n".getBytes());
        out.writeBytes("fine\thttp://x.example/4.jpg\n".getBytes());
        Path file = Files.write(dir.resolve("bad.tsv"), out.toByteArray());

        TsvImporter importer = open(file, ImportBounds.builder().maxLineBytes(200).build());
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("fine");
        assertThat(importer.rejected().perReason())
                .isEqualTo(Map.of("bad_columns", 3L, "not_utf8", 1L, "field_too_large", 1L));
        assertThat(importer.rejected().examples())
                .extracting(e -> e.line())
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }
}
