package io.streamlip.ingest.webdataset;

import static io.streamlip.ingest.importer.WebFixtures.Member.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.importer.ImportBounds;
import io.streamlip.ingest.importer.WebFixtures;
import io.streamlip.ingest.importer.WebFixtures.Member;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebDatasetImporterTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final byte[] JPEG = TestImages.jpeg(16, 12);
    static final byte[] PNG = TestImages.png(8, 8);

    @TempDir Path dir;

    static List<RawPair> drain(WebDatasetImporter importer) {
        List<RawPair> out = new ArrayList<>();
        importer.pairs().forEachRemaining(out::add);
        return out;
    }

    WebDatasetImporter open(Path folder, List<Path> shards, ImportBounds bounds) {
        return new WebDatasetImporter(folder, shards, bounds, NOW);
    }

    /** img2dataset's layout: {@code 000000001.jpg}, {@code .txt}, {@code .json} per sample. */
    @Test
    void readsImg2datasetShards() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("laion-wds"));
        Path shard =
                WebFixtures.tar(
                        folder.resolve("00000.tar"),
                        List.of(
                                new Member("000000001.jpg", JPEG),
                                text("000000001.txt", "a red bus\n"),
                                text(
                                        "000000001.json",
                                        "{\"url\": \"https://a.example/1.jpg\", \"key\":"
                                                + " \"000000001\", \"width\": 16, \"height\": 12,"
                                                + " \"status\": \"success\", \"caption\": \"x\"}"),
                                new Member("000000002.png", PNG),
                                text(
                                        "000000002.json",
                                        "{\"caption\": \"from json\", \"language\": \"fr\"}"),
                                new Member("sub/dir/000000003.webp", JPEG),
                                text("sub/dir/000000003.txt", "in a folder"),
                                text("sub/dir/000000003.cls", "7")));
        Path second =
                WebFixtures.tar(
                        folder.resolve("00001.tar"),
                        List.of(new Member("k.jpeg", JPEG), text("k.txt", "second shard")));

        WebDatasetImporter importer = open(folder, List.of(shard, second), ImportBounds.defaults());
        List<RawPair> pairs = drain(importer);

        assertThat(importer.rejected().total()).isZero();
        assertThat(importer.skipped()).isEqualTo(Map.of("unknown_member", 1L));
        assertThat(pairs)
                .extracting(RawPair::getId)
                .containsExactly(
                        "webdataset:laion-wds:00000.tar:000000001",
                        "webdataset:laion-wds:00000.tar:000000002",
                        "webdataset:laion-wds:00000.tar:sub/dir/000000003",
                        "webdataset:laion-wds:00001.tar:k");
        RawPair first = pairs.get(0);
        assertThat(first.getImage()).isEqualTo(ByteBuffer.wrap(JPEG));
        assertThat(first.getImageUrl()).isNull();
        assertThat(first.getAltText()).isEqualTo("a red bus");
        assertThat(first.getAttributes())
                .isEqualTo(
                        Map.of(
                                "url", "https://a.example/1.jpg",
                                "key", "000000001",
                                "width", "16",
                                "height", "12"));
        assertThat(pairs.get(1).getAltText()).isEqualTo("from json");
        assertThat(pairs.get(1).getLangHint()).isEqualTo("fr");
        assertThat(pairs.get(1).getImage()).isEqualTo(ByteBuffer.wrap(PNG));
        assertThat(pairs.get(2).getAltText()).isEqualTo("in a folder");
    }

    @Test
    void brokenSamplesAreCountedEachWithItsReason() throws Exception {
        Path shard =
                WebFixtures.tar(
                        dir.resolve("bad.tar"),
                        List.of(
                                text("a.txt", "no image"),
                                new Member("b.jpg", JPEG),
                                new Member("c.jpg", JPEG),
                                new Member("c.png", PNG),
                                text("c.txt", "two images"),
                                new Member("d.jpg", JPEG),
                                new Member("d.txt", new byte[] {'x', (byte) 0xc3, '(', 'y'}),
                                new Member("e.jpg", new byte[3000]),
                                text("e.txt", "too big"),
                                new Member("f.jpg", JPEG),
                                text("f.json", "{not json"),
                                new Member("g.jpg", JPEG),
                                text("g.txt", "x".repeat(500)),
                                new Member("h.jpg", JPEG),
                                text("h.txt", "fine"),
                                new Member(".hidden", new byte[1]),
                                new Member("README", new byte[1])));

        WebDatasetImporter importer =
                open(
                        shard,
                        List.of(shard),
                        ImportBounds.builder().maxImageBytes(2000).maxLineBytes(400).build());
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("fine");
        assertThat(importer.rejected().perReason())
                .isEqualTo(
                        Map.of(
                                "missing_image", 1L,
                                "missing_caption", 1L,
                                "extra_member", 1L,
                                "not_utf8", 1L,
                                "member_too_large", 2L,
                                "not_json", 1L));
        assertThat(importer.rejected().examples().get(0).detail())
                .isEqualTo("bad.tar: sample a: no .jpg, .jpeg, .png or .webp member");
        assertThat(importer.skipped()).isEqualTo(Map.of("unknown_member", 2L));
    }

    @Test
    void aTruncatedShardKeepsWhatCameBeforeAndGoesOnWithTheNext() throws Exception {
        byte[] big = TestImages.jpeg(200, 150);
        Path whole =
                WebFixtures.tar(
                        dir.resolve("whole.tar"),
                        List.of(
                                new Member("1.jpg", JPEG),
                                text("1.txt", "one"),
                                new Member("2.jpg", big),
                                text("2.txt", "two")));
        byte[] bytes = Files.readAllBytes(whole);
        // Cut inside 2.jpg's data: the headers and data of 1.jpg and 1.txt lie before it.
        int cutAt = 512 * 5 + JPEG.length / 512 * 512 + 100;
        Path cut = Files.write(dir.resolve("a-cut.tar"), Arrays.copyOf(bytes, cutAt));
        Path garbage = Files.write(dir.resolve("b-junk.tar"), TestImages.randomBytes(5000, 3));
        Path next =
                WebFixtures.tar(
                        dir.resolve("c-next.tar"),
                        List.of(new Member("3.jpg", JPEG), text("3.txt", "three")));

        WebDatasetImporter importer =
                open(dir, List.of(cut, garbage, next), ImportBounds.defaults());
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("one", "three");
        assertThat(importer.rejected().perReason())
                .isEqualTo(Map.of("truncated_tar", 1L, "unreadable", 1L));
        assertThat(importer.rejected().examples().get(0).detail())
                .startsWith("a-cut.tar: shard ends inside sample 2");
    }
}
