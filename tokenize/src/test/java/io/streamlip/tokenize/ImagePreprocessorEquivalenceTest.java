package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.TestImages;
import java.awt.image.BufferedImage;
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

/**
 * The resize gives the same bytes as {@link ImagePreprocessorReference} (the first version):
 * examples built before and after carry the same pixels. Checked on synthetic images of every pixel
 * type and awkward size, down- and upscaled, and on real emoji where this machine has them.
 */
class ImagePreprocessorEquivalenceTest {
    private static final int[] SIZES = {4, 7, 16, 32, 33, 64};

    private static void assertSame(String name, BufferedImage image, int... sizes) {
        for (int size : sizes) {
            byte[] expected = new ImagePreprocessorReference(size).toRgb(image);
            assertThat(new ImagePreprocessor(size).toRgb(image))
                    .as("%s at %d px", name, size)
                    .isEqualTo(expected);
        }
    }

    @Test
    void syntheticImagesOfEveryTypeAndSize() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int[] types = {
            BufferedImage.TYPE_INT_ARGB,
            BufferedImage.TYPE_INT_RGB,
            BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_BYTE_GRAY,
            BufferedImage.TYPE_BYTE_INDEXED,
            BufferedImage.TYPE_INT_ARGB_PRE
        };
        int[][] sizes = {
            {1, 1},
            {1, 9},
            {9, 1},
            {3, 5},
            {16, 16},
            {31, 33},
            {64, 64},
            {65, 17},
            {100, 3},
            {128, 96},
            {257, 130}
        };
        for (int[] size : sizes) {
            for (int type : types) {
                BufferedImage image = TestImages.shapes(size[0], size[1], type, random);
                String name = size[0] + "x" + size[1] + " type " + type;
                assertSame(name, image, SIZES);
                assertSame(name + " as png", Images.decode(Images.png(image)), 32);
            }
            assertSame(
                    size[0] + "x" + size[1] + " noise",
                    TestImages.alphaNoise(size[0], size[1], random),
                    SIZES);
        }
        // Web-sized images to B/16's 224 px (bench datapath measures 384 -> 224).
        assertSame(
                "384x384 as png",
                Images.decode(
                        Images.png(
                                TestImages.shapes(384, 384, BufferedImage.TYPE_INT_RGB, random))),
                224);
        assertSame("500x333 noise", TestImages.alphaNoise(500, 333, random), 224, 96);
        BufferedImage parent = TestImages.shapes(80, 60, BufferedImage.TYPE_4BYTE_ABGR, random);
        assertSame("subimage", parent.getSubimage(7, 5, 50, 41), SIZES);
        assertSame("transparent", new BufferedImage(20, 20, BufferedImage.TYPE_INT_ARGB), SIZES);
    }

    @Test
    void oneThreadsBuffersServeImagesLargeAndSmall() {
        // One preprocessor, one thread: buffers grow, are reused for smaller images, and an image
        // above the buffered size gets its own.
        SplittableRandom random = new SplittableRandom(3);
        ImagePreprocessor shared = new ImagePreprocessor(32);
        int[][] sizes = {{64, 64}, {300, 200}, {16, 90}, {700, 420}, {64, 64}, {5, 3}};
        for (int[] size : sizes) {
            BufferedImage image =
                    TestImages.shapes(size[0], size[1], BufferedImage.TYPE_INT_ARGB, random);
            assertThat(shared.toRgb(image))
                    .as("%dx%d", size[0], size[1])
                    .isEqualTo(new ImagePreprocessorReference(32).toRgb(image));
        }
    }

    @Test
    @Tag("integration")
    void emojiOfOneVendor() throws Exception {
        Path tarball = null;
        String env = System.getenv("STREAMLIP_DATA");
        List<Path> folders = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            folders.add(Path.of(env));
            folders.add(Path.of(env, "npm"));
        }
        folders.add(Path.of("..", "data"));
        String name = EmojiData.vendorPackage("twitter").tarballName();
        for (Path folder : folders) {
            if (Files.isRegularFile(folder.resolve(name))) {
                tarball = folder.resolve(name);
                break;
            }
        }
        assumeTrue(
                tarball != null,
                "the emoji tarballs are not on this machine; set STREAMLIP_DATA to the folder that"
                        + " holds "
                        + name
                        + " to run this test");
        int images = 0;
        int seen = 0;
        try (InputStream file = Files.newInputStream(tarball);
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new GZIPInputStream(file, 1 << 16))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                // Every fourth 64 px emoji, at the training size of the demo and of a larger model.
                if (entry.getName().contains("/64/")
                        && entry.getName().endsWith(".png")
                        && seen++ % 4 == 0) {
                    assertSame(entry.getName(), Images.decode(tar.readAllBytes()), 32, 48);
                    images++;
                }
            }
        }
        assertThat(images).isGreaterThan(500);
    }
}
