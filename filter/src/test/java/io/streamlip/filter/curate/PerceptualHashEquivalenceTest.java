package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.TestImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fingerprint equals, bit for bit, the one {@link PerceptualHashReference} (the first version)
 * computes: curation thresholds were tuned on these hashes and thumbnails, and keyed state written
 * by older versions holds them. Checked on synthetic images of every kind ImageIO decodes into and
 * every awkward size, and on the real emoji corpus where this machine has it.
 */
class PerceptualHashEquivalenceTest {
    private static final Logger LOG = LoggerFactory.getLogger(PerceptualHashEquivalenceTest.class);

    /** One scratch for the whole test, so reuse across sizes is exercised too. */
    private final PerceptualHash.Scratch scratch = new PerceptualHash.Scratch();

    private int compared;

    private void assertSame(String name, BufferedImage image) {
        PerceptualHashReference.Fingerprint expected = PerceptualHashReference.fingerprint(image);
        PerceptualHash.Fingerprint reused = PerceptualHash.fingerprint(image, scratch);
        assertThat(reused.phash()).as("phash of %s", name).isEqualTo(expected.phash());
        assertThat(reused.thumbnail()).as("thumbnail of %s", name).isEqualTo(expected.thumbnail());
        compared++;
    }

    /** {@link #assertSame} and also through the entry points that allocate their own scratch. */
    private void assertSameEverywhere(String name, BufferedImage image) {
        assertSame(name, image);
        PerceptualHashReference.Fingerprint expected = PerceptualHashReference.fingerprint(image);
        PerceptualHash.Fingerprint fresh = PerceptualHash.fingerprint(image);
        assertThat(fresh.phash())
                .as("phash of %s, fresh scratch", name)
                .isEqualTo(expected.phash());
        assertThat(fresh.thumbnail()).as("thumbnail of %s", name).isEqualTo(expected.thumbnail());
        assertThat(PerceptualHash.of(image)).as("of(%s)", name).isEqualTo(expected.phash());
        assertThat(PerceptualHash.thumbnail(image))
                .as("thumbnail(%s)", name)
                .isEqualTo(expected.thumbnail());
    }

    private static BufferedImage convert(BufferedImage image, int type) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), type);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage scaled(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** What a crawl turns an image into: re-encodings, other sizes, crops, other pixel types. */
    private void assertSameForVariants(String name, BufferedImage image) throws Exception {
        assertSameEverywhere(name, image);
        assertSame(name + " as png", Images.decode(Images.png(image)));
        BufferedImage opaque = convert(image, BufferedImage.TYPE_INT_RGB);
        assertSame(name + " as jpeg", Images.decode(Images.encode(opaque, "jpeg")));
        assertSame(name + " grey", convert(image, BufferedImage.TYPE_BYTE_GRAY));
        assertSame(name + " palette", convert(image, BufferedImage.TYPE_BYTE_INDEXED));
        assertSame(name + " premultiplied", convert(image, BufferedImage.TYPE_INT_ARGB_PRE));
        assertSame(name + " bgr", convert(image, BufferedImage.TYPE_3BYTE_BGR));
        int w = image.getWidth();
        int h = image.getHeight();
        assertSame(name + " scaled", scaled(image, w * 5 / 7 + 1, h * 3 / 4 + 1));
        assertSame(name + " enlarged", scaled(image, w * 3 / 2 + 1, h * 2));
        if (w > 4 && h > 4) {
            // A subimage shares its parent's buffer at an offset: the raster path must honour it.
            assertSame(name + " cropped", image.getSubimage(w / 8, h / 5, w * 3 / 4, h * 3 / 4));
        }
    }

    @Test
    void syntheticImagesOfEveryKindAndSize() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        int[] types = {
            BufferedImage.TYPE_INT_ARGB,
            BufferedImage.TYPE_INT_RGB,
            BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_BYTE_GRAY,
            BufferedImage.TYPE_BYTE_INDEXED,
            BufferedImage.TYPE_USHORT_GRAY
        };
        int[][] sizes = {
            {1, 1},
            {1, 7},
            {9, 1},
            {2, 2},
            {3, 5},
            {16, 16},
            {31, 33},
            {64, 64},
            {65, 17},
            {72, 72},
            {100, 3},
            {128, 96},
            {257, 130}
        };
        for (int[] size : sizes) {
            for (int type : types) {
                BufferedImage image = TestImages.shapes(size[0], size[1], type, random);
                assertSameForVariants(size[0] + "x" + size[1] + " type " + type, image);
            }
            assertSameForVariants(
                    size[0] + "x" + size[1] + " noise",
                    TestImages.alphaNoise(size[0], size[1], random));
        }
        for (int type : types) {
            // Blank: white, fully transparent, black, and a single dark speck.
            BufferedImage blank = new BufferedImage(40, 30, type);
            assertSameEverywhere("blank type " + type, blank);
            assertSameEverywhere("white type " + type, convert(drawingOf(Color.WHITE), type));
            BufferedImage speck = convert(drawingOf(Color.WHITE), type);
            speck.setRGB(3, 4, 0xff000000);
            assertSameEverywhere("speck type " + type, speck);
        }
        assertSameEverywhere("transparent", new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB));
        assertSameEverywhere(
                "transparent 4byte", new BufferedImage(7, 9, BufferedImage.TYPE_4BYTE_ABGR));
        LOG.info("{} synthetic images fingerprinted alike", compared);
    }

    @Test
    void aScratchOutlivesAnOutsizedImage() {
        // Larger than the buffers a scratch keeps: it reads it, then shrinks for the next one.
        SplittableRandom random = new SplittableRandom(5);
        assertSame("small first", TestImages.shapes(64, 64, BufferedImage.TYPE_INT_ARGB, random));
        assertSame("outsized", TestImages.shapes(700, 420, BufferedImage.TYPE_INT_ARGB, random));
        assertSame("small after", TestImages.shapes(48, 64, BufferedImage.TYPE_4BYTE_ABGR, random));
        assertSame(
                "outsized again",
                TestImages.shapes(420, 700, BufferedImage.TYPE_3BYTE_BGR, random));
        assertSame("tiny after", TestImages.shapes(3, 2, BufferedImage.TYPE_INT_RGB, random));
    }

    private static BufferedImage drawingOf(Color color) {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 40, 30);
        g.dispose();
        return image;
    }

    @Test
    @Tag("integration")
    void emojiOfTwoVendors() throws Exception {
        List<Path> tarballs = new ArrayList<>();
        for (String vendor : List.of("twitter", "google")) {
            Path tarball = emojiTarball(vendor);
            assumeTrue(
                    tarball != null,
                    "the emoji tarballs are not on this machine; set STREAMLIP_DATA to the folder"
                            + " that holds emoji-datasource-*.tgz to run this test");
            tarballs.add(tarball);
        }
        int images = 0;
        int seen = 0;
        for (Path tarball : tarballs) {
            // Every twitter emoji, every third of google's (a faster suite, still thousands).
            int stride = tarball.getFileName().toString().contains("twitter") ? 1 : 3;
            try (InputStream file = Files.newInputStream(tarball);
                    TarArchiveInputStream tar =
                            new TarArchiveInputStream(new GZIPInputStream(file, 1 << 16))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    String name = entry.getName();
                    if (!name.contains("/64/") || !name.endsWith(".png") || seen++ % stride != 0) {
                        continue;
                    }
                    BufferedImage image = Images.decode(tar.readAllBytes());
                    if (images % 50 == 0) {
                        assertSameForVariants(name, image);
                    } else {
                        assertSame(name, image);
                    }
                    images++;
                }
            }
        }
        LOG.info("{} emoji images, {} fingerprints in all, alike", images, compared);
        assertThat(images).isGreaterThan(4000);
    }

    /** The vendor's tarball in STREAMLIP_DATA (or its npm/) or ../data, or null. */
    private static Path emojiTarball(String vendor) throws IOException {
        List<Path> folders = new ArrayList<>();
        String env = System.getenv("STREAMLIP_DATA");
        if (env != null && !env.isBlank()) {
            folders.add(Path.of(env));
            folders.add(Path.of(env, "npm"));
        }
        folders.add(Path.of("..", "data"));
        for (Path folder : folders) {
            Path tarball = folder.resolve(EmojiData.vendorPackage(vendor).tarballName());
            if (Files.isRegularFile(tarball)) {
                return tarball;
            }
        }
        return null;
    }
}
