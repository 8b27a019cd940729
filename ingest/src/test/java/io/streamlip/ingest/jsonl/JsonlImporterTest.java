package io.streamlip.ingest.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlImporterTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    @TempDir Path dir;

    static List<RawPair> drain(JsonlImporter importer) {
        List<RawPair> out = new ArrayList<>();
        importer.pairs().forEachRemaining(out::add);
        return out;
    }

    @Test
    void urlsAndInlineImages() throws Exception {
        byte[] png = TestImages.png(8, 8);
        Path file =
                Files.writeString(
                        dir.resolve("pairs.ndjson"),
                        "{\"url\": \"https://a.example/1.jpg\", \"caption\": \"a cat\","
                                + " \"language\": \"en\", \"width\": 640, \"other\": [1]}\n"
                                + "{\"image_base64\": \""
                                + Base64.getEncoder().encodeToString(png)
                                + "\", \"text\": \"a square\", \"url\": \"https://b.example/2.png\"}\n");

        JsonlImporter importer =
                new JsonlImporter(file, List.of(file), ImportBounds.defaults(), NOW);
        List<RawPair> pairs = drain(importer);

        assertThat(importer.rejected().total()).isZero();
        assertThat(pairs).hasSize(2);
        assertThat(pairs.get(0).getImageUrl()).isEqualTo("https://a.example/1.jpg");
        assertThat(pairs.get(0).getImage()).isNull();
        assertThat(pairs.get(0).getLangHint()).isEqualTo("en");
        assertThat(pairs.get(0).getAttributes()).isEqualTo(Map.of("width", "640"));
        assertThat(pairs.get(1).getImageUrl()).isNull();
        assertThat(pairs.get(1).getImage()).isEqualTo(ByteBuffer.wrap(png));
        assertThat(pairs.get(1).getAltText()).isEqualTo("a square");
        assertThat(pairs.get(1).getAttributes())
                .isEqualTo(Map.of("url", "https://b.example/2.png"));
        assertThat(pairs.get(1).getId()).isEqualTo("jsonl:pairs.ndjson:2");
    }

    @Test
    void badLinesAreCounted() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("bad.jsonl"),
                        "not json\n"
                                + "[1, 2]\n"
                                + "{\"url\": \"https://a.example/1.jpg\"}\n"
                                + "{\"caption\": \"no image\"}\n"
                                + "{\"url\": \"javascript:alert(1)\", \"caption\": \"x\"}\n"
                                + "{\"image_base64\": \"%%%\", \"caption\": \"x\"}\n"
                                + "{\"caption\": {\"nested\": 1}, \"url\": \"https://a.example/\"}\n"
                                + "{\"image_base64\": \""
                                + Base64.getEncoder().encodeToString(new byte[2000])
                                + "\", \"caption\": \"too big\"}\n"
                                + "{\"url\": \"https://a.example/ok.jpg\", \"caption\": \"ok\"}\n");

        JsonlImporter importer =
                new JsonlImporter(
                        file,
                        List.of(file),
                        ImportBounds.builder().maxImageBytes(1000).build(),
                        NOW);
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("ok");
        assertThat(importer.rejected().perReason())
                .isEqualTo(
                        Map.of(
                                "not_json", 2L,
                                "missing_field", 3L,
                                "bad_url", 1L,
                                "bad_base64", 1L,
                                "member_too_large", 1L));
    }
}
