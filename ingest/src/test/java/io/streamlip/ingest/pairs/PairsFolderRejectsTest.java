package io.streamlip.ingest.pairs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.streamlip.ingest.importer.ImportListener;
import io.streamlip.ingest.importer.ImportRejectedException;
import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pairs folder is a user's input: a line that is malformed or names an image the importer may not
 * read is a reject of the import (line, reason, capped detail), never the end of it and never a
 * read outside the folder.
 */
class PairsFolderRejectsTest {
    private static final Instant CRAWL = Instant.parse("2025-01-02T03:04:05Z");

    @TempDir Path dir;

    private Path folder(String name, String index, String... images) throws IOException {
        Path folder = dir.resolve(name);
        Files.createDirectories(folder.resolve("images"));
        for (String image : images) {
            Files.write(
                    folder.resolve(image), ("bytes of " + image).getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(folder.resolve(PairsFolder.INDEX), index, StandardCharsets.UTF_8);
        return folder;
    }

    private static List<RawPair> importAll(PairsFolderImporter importer, List<ImportStats> out) {
        List<RawPair> sink = new ArrayList<>();
        out.add(importer.importTo(sink::add, ImportListener.NONE));
        return sink;
    }

    private static String bytes(RawPair p) {
        ByteBuffer b = p.getImage().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void neitherALinkNorAPathOutsideTheFolderIsImported() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("home"));
        Files.writeString(outside.resolve("id_rsa"), "PRIVATE KEY");
        Path folder =
                folder(
                        "set",
                        """
                        {"image": "images/a.png", "text": "a cat"}
                        {"image": "images/key.png", "text": "a link to a key"}
                        {"image": "../home/id_rsa", "text": "up and out"}
                        {"image": "images/linked/id_rsa", "text": "a linked folder"}
                        {"image": "%s", "text": "absolute"}
                        {"image": "images/../images/a.png", "text": "a cat again"}
                        """
                                .formatted(outside.resolve("id_rsa")),
                        "images/a.png");
        Files.createSymbolicLink(folder.resolve("images/key.png"), outside.resolve("id_rsa"));
        Files.createSymbolicLink(folder.resolve("images/linked"), outside);

        List<ImportStats> stats = new ArrayList<>();
        List<RawPair> pairs = importAll(PairsFolderImporter.open(folder, CRAWL), stats);

        assertThat(pairs).extracting(PairsFolderRejectsTest::bytes).doesNotContain("PRIVATE KEY");
        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("a cat", "a cat again");
        ImportRejects rejected = stats.get(0).rejected();
        assertThat(rejected.total()).isEqualTo(4);
        assertThat(rejected.perReason())
                .containsOnly(entry("image_link", 2L), entry("image_outside_folder", 2L));
        assertThat(rejected.examples())
                .extracting(ImportRejects.Example::line)
                .containsExactly(2L, 3L, 4L, 5L);
        assertThat(rejected.examples().get(0).detail()).contains("symbolic link");
    }

    @Test
    void aMalformedLineIsRefusedAndTheOthersAreImported() throws IOException {
        StringBuilder index = new StringBuilder();
        for (int i = 1; i <= 69; i++) {
            index.append("{\"image\": \"images/a.png\", \"text\": \"cat ")
                    .append(i)
                    .append("\"}\n");
        }
        index.append("{\"image\": \"images/a.png\", \"text\": oops\n"); // line 70
        index.append("{\"image\": \"images/a.png\"}\n"); // 71: no text
        index.append("[1, 2]\n"); // 72: JSON, not an object
        index.append("{\"image\": \"images/gone.png\", \"text\": \"x\"}\n"); // 73
        index.append("{\"image\": \"images/a.png\", \"text\": {\"nested\": 1}}\n"); // 74
        index.append("{\"image\": \"images/a.png\", \"text\": \"last\"}\n"); // 75
        Path folder = folder("big", index.toString(), "images/a.png");
        Files.write(
                folder.resolve(PairsFolder.INDEX),
                new byte[] {'{', '"', (byte) 0xC3, '"', '}', '\n'},
                java.nio.file.StandardOpenOption.APPEND); // 76: invalid UTF-8

        List<ImportStats> stats = new ArrayList<>();
        List<RawPair> pairs = importAll(PairsFolderImporter.open(folder, CRAWL), stats);

        assertThat(pairs).hasSize(70);
        assertThat(pairs.get(69).getAltText()).isEqualTo("last");
        assertThat(pairs.get(69).getId()).isEqualTo("folder:big:69");
        ImportRejects rejected = stats.get(0).rejected();
        assertThat(rejected.perReason())
                .containsOnly(
                        entry("not_json", 2L),
                        entry("missing_field", 2L),
                        entry("image_missing", 1L),
                        entry("not_utf8", 1L));
        assertThat(rejected.examples())
                .hasSize(ImportRejects.MAX_EXAMPLES)
                .first()
                .satisfies(
                        e -> {
                            assertThat(e.line()).isEqualTo(70);
                            assertThat(e.reason()).isEqualTo("not_json");
                        });
    }

    @Test
    void strictStopsAtTheFirstRefusedLineAndNamesIt() throws IOException {
        Path folder =
                folder(
                        "strict",
                        """
                        {"image": "images/a.png", "text": "a cat"}
                        {"image": "images/a.png", "text": oops}
                        """,
                        "images/a.png");
        PairsFolderImporter.Options strict =
                PairsFolderImporter.Options.builder().strict(true).build();
        assertThatThrownBy(() -> PairsFolderImporter.open(folder, CRAWL, strict))
                .isInstanceOf(ImportRejectedException.class)
                .hasMessageContaining("pairs.jsonl:2: not_json: not JSON");

        // An image that vanished after the scan: counted, or the end of a strict import.
        Path vanish =
                folder(
                        "vanish",
                        "{\"image\": \"images/a.png\", \"text\": \"x\"}\n",
                        "images/a.png");
        PairsFolderImporter lenient = PairsFolderImporter.open(vanish, CRAWL);
        PairsFolderImporter stopping = PairsFolderImporter.open(vanish, CRAWL, strict);
        Files.delete(vanish.resolve("images/a.png"));
        List<ImportStats> stats = new ArrayList<>();
        assertThat(importAll(lenient, stats)).isEmpty();
        assertThat(stats.get(0).rejected().perReason()).containsOnly(entry("image_missing", 1L));
        assertThatThrownBy(() -> stopping.pairs().hasNext())
                .isInstanceOf(ImportRejectedException.class)
                .hasMessageContaining(
                        "pairs.jsonl:1: image_missing: image images/a.png does not exist");
    }

    @Test
    void anImageOverTheByteBoundIsRefused() throws IOException {
        Path folder =
                folder(
                        "large",
                        """
                        {"image": "images/small.png", "text": "small"}
                        {"image": "images/large.png", "text": "large"}
                        """,
                        "images/small.png");
        Files.write(folder.resolve("images/large.png"), new byte[4096]);
        PairsFolderImporter.Options options =
                PairsFolderImporter.Options.builder()
                        .bounds(PairsFolder.Bounds.builder().maxImageBytes(1024).build())
                        .build();
        List<ImportStats> stats = new ArrayList<>();
        List<RawPair> pairs = importAll(PairsFolderImporter.open(folder, CRAWL, options), stats);
        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("small");
        assertThat(stats.get(0).rejected().perReason()).containsOnly(entry("image_too_large", 1L));
        assertThat(stats.get(0).rejected().examples().get(0).detail())
                .isEqualTo("image images/large.png has 4096 bytes, more than 1024");
    }

    @Test
    void theSummaryNeverEchoesAnUnboundedValue() throws IOException {
        String huge = "x".repeat(9 * 1024 * 1024);
        String long100 = "y".repeat(100);
        Path folder =
                folder(
                        "hostile",
                        "{\"image\": \"images/a.png\", \"text\": \"a cat\", \"lang\": \""
                                + huge
                                + "\"}\n"
                                + "{\"image\": \"images/a.png\", \"text\": \"a cat\", \"lang\": \""
                                + long100
                                + "\"}\n"
                                + "{\"image\": \"images/a.png\", \"text\": \"a cat\", \"lang\":"
                                + " \"en\\nFAKE LOG LINE\"}\n"
                                + "{\"image\": \"images/a.png\", \"text\": \"ein Hund\", \"lang\":"
                                + " \"de-CH\"}\n"
                                + "{\"image\": \"images/"
                                + "z".repeat(5000)
                                + "\", \"text\": \"x\"}\n"
                                + huge
                                + "\n",
                        "images/a.png");
        List<ImportStats> stats = new ArrayList<>();
        List<RawPair> pairs = importAll(PairsFolderImporter.open(folder, CRAWL), stats);
        ImportStats s = stats.get(0);

        assertThat(pairs).hasSize(3);
        assertThat(s.perLanguage()).containsOnly(entry("invalid", 2L), entry("de-CH", 1L));
        assertThat(s.rejected().perReason()).containsOnly(entry("field_too_large", 3L));
        assertThat(s.rejected().examples())
                .allSatisfy(e -> assertThat(e.detail().length()).isLessThanOrEqualTo(200));
        assertThat(s.toString().length()).isLessThan(2_000);
        assertThat(s.toString()).doesNotContain("\n");
    }
}
