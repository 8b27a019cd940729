package io.streamlip.ingest.pairs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.streamlip.ingest.importer.ImportListener;
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

class PairsFolderImporterTest {
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

    private static String bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void turnsEveryLineIntoARawPair() throws IOException {
        Path folder =
                folder(
                        "my-set",
                        """
                        {"image": "images/a.png", "text": "a cat", "lang": "en", "class": "cat"}

                        {"image": "images/b.jpg", "text": "ein Hund", "lang": "de"}
                        {"image": "images/a.png", "text": "un chat"}
                        """,
                        "images/a.png",
                        "images/b.jpg");
        PairsFolderImporter importer = PairsFolderImporter.open(folder, CRAWL);
        assertThat(importer.name()).isEqualTo("folder:my-set");
        assertThat(importer.expectedPairs()).isEqualTo(3);

        List<RawPair> pairs = new ArrayList<>();
        importer.pairs().forEachRemaining(pairs::add);

        assertThat(pairs)
                .extracting(RawPair::getId)
                .containsExactly("folder:my-set:0", "folder:my-set:1", "folder:my-set:2");
        RawPair cat = pairs.get(0);
        assertThat(cat.getAltText()).isEqualTo("a cat");
        assertThat(cat.getLangHint()).isEqualTo("en");
        assertThat(cat.getSource()).isEqualTo("folder:my-set");
        assertThat(cat.getCrawlTime()).isEqualTo(CRAWL);
        assertThat(bytes(cat.getImage())).isEqualTo("bytes of images/a.png");
        assertThat(cat.getAttributes())
                .containsEntry("class", "cat")
                .containsEntry("image", "images/a.png");
        assertThat(pairs.get(1).getAttributes()).doesNotContainKey("class");
        assertThat(pairs.get(2).getLangHint()).isNull();
    }

    @Test
    void importToCountsPerLanguageAndSource() throws IOException {
        Path folder =
                folder(
                        "set",
                        """
                        {"image": "images/a.png", "text": "a cat", "lang": "en"}
                        {"image": "images/a.png", "text": "un chat", "lang": "fr"}
                        {"image": "images/a.png", "text": "?"}
                        """,
                        "images/a.png");
        List<RawPair> sink = new ArrayList<>();
        ImportStats stats =
                PairsFolderImporter.open(folder).importTo(sink::add, ImportListener.NONE);
        assertThat(sink).hasSize(3);
        assertThat(stats.pairs()).isEqualTo(3);
        assertThat(stats.perLanguage())
                .containsOnly(entry("en", 1L), entry("fr", 1L), entry("und", 1L));
        assertThat(stats.perSource()).containsOnly(entry("folder:set", 3L));
        assertThat(stats.skipped()).isEmpty();
    }

    private static final PairsFolderImporter.Options STRICT =
            PairsFolderImporter.Options.builder().strict(true).build();

    @Test
    void strictNamesTheLineOfAMissingImage() throws IOException {
        Path folder =
                folder(
                        "missing",
                        """
                        {"image": "images/a.png", "text": "a cat"}
                        {"image": "images/gone.png", "text": "a dog"}
                        """,
                        "images/a.png");
        assertThatThrownBy(() -> PairsFolderImporter.open(folder, CRAWL, STRICT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "pairs.jsonl:2: image_missing: image images/gone.png does not exist");
    }

    @Test
    void strictNamesTheLineOfAMalformedEntry() throws IOException {
        Path notJson =
                folder(
                        "not-json",
                        "{\"image\": \"images/a.png\", \"text\": \"x\"}\n{oops\n",
                        "images/a.png");
        assertThatThrownBy(() -> PairsFolderImporter.open(notJson, CRAWL, STRICT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs.jsonl:2: not_json: not JSON");

        Path noText = folder("no-text", "{\"image\": \"images/a.png\"}\n", "images/a.png");
        assertThatThrownBy(() -> PairsFolderImporter.open(noText, CRAWL, STRICT))
                .hasMessageContaining(
                        "pairs.jsonl:1: missing_field: needs \"image\" and \"text\" fields");

        Path escape = folder("escape", "{\"image\": \"../secret.png\", \"text\": \"x\"}\n");
        assertThatThrownBy(() -> PairsFolderImporter.open(escape, CRAWL, STRICT))
                .hasMessageContaining(
                        "pairs.jsonl:1: image_outside_folder: image must be a path inside the"
                                + " folder");
        // What evaluation sets are read with: strict.
        assertThatThrownBy(() -> PairsFolder.read(escape))
                .hasMessageContaining("pairs.jsonl:1: image_outside_folder");
    }

    @Test
    void saysWhenTheFolderOrItsIndexIsMissing() throws IOException {
        assertThatThrownBy(() -> PairsFolderImporter.open(dir.resolve("nowhere")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nowhere: no such folder");
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> PairsFolderImporter.open(dir.resolve("empty")))
                .hasMessageContaining("it has no pairs.jsonl");
    }

    @Test
    void readsBackAnEvaluationSetItsWriterWrote() {
        Path folder = dir.resolve("written");
        try (PairsFolder.Writer out = new PairsFolder.Writer(folder)) {
            String image = out.image("x.png", new byte[] {1, 2, 3});
            out.add(new PairsFolder.Entry(image, "x", "en", "x"));
        }
        List<RawPair> pairs = new ArrayList<>();
        PairsFolderImporter.open(folder).pairs().forEachRemaining(pairs::add);
        assertThat(pairs).singleElement().satisfies(p -> assertThat(p.getAltText()).isEqualTo("x"));
    }
}
