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
        // A sample missing a member counts at the shard's end (the member might still come), so
        // it comes after the five examples kept here: its detail, from a shard of its own.
        Path alone = WebFixtures.tar(dir.resolve("bad-a.tar"), List.of(text("a.txt", "no image")));
        WebDatasetImporter single = open(alone, List.of(alone), ImportBounds.defaults());
        drain(single);
        assertThat(single.rejected().examples().get(0).detail())
                .isEqualTo("bad-a.tar: sample a: no .jpg, .jpeg, .png or .webp member");
        assertThat(importer.skipped()).isEqualTo(Map.of("unknown_member", 2L));
    }

    @Test
    void membersThatAreNotAdjacentHaveTheirOwnReason() throws Exception {
        Path shard =
                WebFixtures.tar(
                        dir.resolve("scattered.tar"),
                        List.of(
                                new Member("a.jpg", JPEG),
                                new Member("b.jpg", JPEG),
                                text("b.txt", "bee"),
                                text("a.txt", "the caption of a, after b"),
                                new Member("x.jpg", JPEG),
                                text("x.txt", "ex"),
                                new Member("y.jpg", JPEG),
                                text("y.txt", "why"),
                                text("x.json", "{\"url\": \"late\"}"),
                                new Member("m.jpg", JPEG)));

        WebDatasetImporter importer = open(shard, List.of(shard), ImportBounds.defaults());
        List<RawPair> pairs = drain(importer);

        assertThat(pairs).extracting(RawPair::getAltText).containsExactly("bee", "ex", "why");
        // a: both parts; x: its late .json (x itself was complete and went out); m: missing.
        assertThat(importer.rejected().perReason())
                .isEqualTo(Map.of("non_adjacent_members", 3L, "missing_caption", 1L));
        assertThat(importer.rejected().examples())
                .extracting(e -> e.detail())
                .anySatisfy(
                        d -> assertThat(d).startsWith("scattered.tar: sample a: its first part"));
    }

    @Test
    void gzippedShardsAreReadLikePlainOnes() throws Exception {
        List<Member> members =
                List.of(
                        new Member("0001.jpg", JPEG),
                        text("0001.txt", "one"),
                        new Member("0002.png", PNG),
                        text("0002.txt", "two"));
        Path plain = WebFixtures.tar(dir.resolve("plain.tar"), members);
        Path tarGz = gzip(plain, dir.resolve("shard.tar.gz"));
        Path tgz = gzip(plain, dir.resolve("shard.tgz"));
        Path unnamed = gzip(plain, dir.resolve("shard-without-extension"));

        for (Path shard : List.of(tarGz, tgz, unnamed)) {
            assertThat(io.streamlip.ingest.formats.ImportFormat.detect(shard))
                    .isEqualTo(io.streamlip.ingest.formats.ImportFormat.WEBDATASET);
            WebDatasetImporter importer = open(shard, List.of(shard), ImportBounds.defaults());
            List<RawPair> pairs = drain(importer);
            assertThat(pairs).extracting(RawPair::getAltText).containsExactly("one", "two");
            assertThat(pairs.get(1).getImage().remaining()).isEqualTo(PNG.length);
            assertThat(importer.rejected().total()).isZero();
        }
        // A gzipped shard cut short is a truncated tar, not a crash.
        byte[] whole = java.nio.file.Files.readAllBytes(tarGz);
        Path cut = dir.resolve("cut.tar.gz");
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        WebDatasetImporter importer = open(cut, List.of(cut), ImportBounds.defaults());
        drain(importer);
        assertThat(importer.rejected().perReason()).containsKey("truncated_tar");
    }

    private static Path gzip(Path from, Path to) throws java.io.IOException {
        try (var out =
                new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(to))) {
            java.nio.file.Files.copy(from, out);
        }
        return to;
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
