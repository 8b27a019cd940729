package io.streamlip.platform.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void probeReadsTheClaimedSizeWithoutDecoding() {
        byte[] bomb = TestImages.pngHeaderOnly(50_000, 50_000);
        var header = Images.probe(bomb).orElseThrow();
        assertThat(header.format()).isEqualTo("png");
        assertThat(header.pixels()).isEqualTo(2_500_000_000L);
        assertThatThrownBy(() -> Images.decode(bomb))
                .isInstanceOf(Images.UndecodableImageException.class);
    }

    @Test
    void probeAndDecodeAgreeOnRealImages() throws Exception {
        byte[] jpeg = Images.encode(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "jpeg");
        assertThat(Images.probe(jpeg).orElseThrow()).isEqualTo(new Images.Header("jpeg", 40, 30));
        assertThat(Images.decode(jpeg).getWidth()).isEqualTo(40);
        assertThat(Images.probe(new byte[] {0, 1, 2})).isEmpty();
    }

    @Test
    void decodeRefusesATruncatedJpegThatImageIoWouldFillWithGrey() throws Exception {
        byte[] whole = TestImages.jpeg(64, 64);
        assertThat(Images.decode(whole).getHeight()).isEqualTo(64);
        assertThatThrownBy(() -> Images.decode(TestImages.truncated(whole, 0.5)))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageStartingWith("truncated or corrupt");
    }

    @Test
    void argbIsWhatGetRgbReturnsForEveryTypeAndSubimage() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int type :
                new int[] {
                    BufferedImage.TYPE_3BYTE_BGR,
                    BufferedImage.TYPE_4BYTE_ABGR,
                    BufferedImage.TYPE_INT_RGB,
                    BufferedImage.TYPE_INT_ARGB,
                    BufferedImage.TYPE_BYTE_GRAY,
                    BufferedImage.TYPE_INT_ARGB_PRE
                }) {
            BufferedImage image = new BufferedImage(23, 17, type);
            for (int y = 0; y < 17; y++) {
                for (int x = 0; x < 23; x++) {
                    image.setRGB(x, y, random.nextInt());
                }
            }
            // A decoded PNG too: ImageIO's rasters are what the fast paths read in practice.
            BufferedImage decoded = Images.decode(Images.png(image));
            for (BufferedImage candidate :
                    new BufferedImage[] {
                        image,
                        image.getSubimage(3, 2, 11, 9),
                        decoded,
                        decoded.getSubimage(1, 4, 20, 5)
                    }) {
                int w = candidate.getWidth();
                int h = candidate.getHeight();
                assertThat(Images.argb(candidate))
                        .as("type %d, %dx%d", candidate.getType(), w, h)
                        .containsExactly(candidate.getRGB(0, 0, w, h, null, 0, w));
            }
        }
    }

    @Test
    void thePngFastPathGivesImageIosPixelsAndRefusesWhatItRefuses() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int type :
                new int[] {
                    BufferedImage.TYPE_INT_ARGB,
                    BufferedImage.TYPE_INT_RGB,
                    BufferedImage.TYPE_BYTE_GRAY
                }) {
            BufferedImage image = new BufferedImage(37, 21, type);
            for (int y = 0; y < 21; y++) {
                for (int x = 0; x < 37; x++) {
                    // Smooth runs and noise, so the encoder picks every row filter.
                    int v = random.nextInt(4) == 0 ? random.nextInt() : (x * 7 + y * 3) * 0x010203;
                    image.setRGB(x, y, v | (x % 5 == 0 ? 0 : 0xff000000));
                }
            }
            byte[] png = Images.png(image);
            BufferedImage viaImageIo =
                    javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            BufferedImage decoded = Images.decode(png);
            assertThat(decoded.getType()).as("type %d", type).isEqualTo(viaImageIo.getType());
            assertThat(decoded.getRGB(0, 0, 37, 21, null, 0, 37))
                    .containsExactly(viaImageIo.getRGB(0, 0, 37, 21, null, 0, 37));
            assertThat(Images.probe(png).orElseThrow()).isEqualTo(new Images.Header("png", 37, 21));
            if (type != BufferedImage.TYPE_BYTE_GRAY) { // grey is ImageIO's: not the fast path
                assertThat(PngDecoder.decode(png)).isNotNull();
            } else {
                assertThat(PngDecoder.decode(png)).isNull();
            }
        }
        // Garbage in the image data of a well-formed file: undecodable, as with ImageIO.
        BufferedImage rgb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        byte[] png = Images.png(rgb);
        for (int i = 45; i < png.length - 20; i++) {
            png[i] = (byte) random.nextInt(256);
        }
        assertThatThrownBy(() -> Images.decode(png))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageStartingWith("truncated or corrupt");
    }

    @Test
    void decodeBuffersKeptAcrossImagesGiveTheSamePixelsAsFreshOnes() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        java.util.List<byte[]> images = new java.util.ArrayList<>();
        for (int[] size : new int[][] {{64, 64}, {64, 64}, {37, 21}, {300, 7}, {64, 64}, {5, 90}}) {
            images.add(Images.png(TestImages.alphaNoise(size[0], size[1], random)));
            images.add(
                    Images.png(
                            TestImages.shapes(
                                    size[0], size[1], BufferedImage.TYPE_INT_RGB, random)));
        }
        images.add(TestImages.jpeg(96, 64));
        byte[] corrupt = Images.png(TestImages.alphaNoise(64, 64, random));
        for (int i = 45; i < corrupt.length - 20; i++) {
            corrupt[i] = (byte) random.nextInt(256);
        }
        images.add(3, corrupt);
        images.add(TestImages.truncated(Images.png(TestImages.alphaNoise(64, 64, random)), 0.6));
        images.add(Images.png(TestImages.alphaNoise(64, 64, random)));
        for (Images.DecodeBuffers buffers :
                java.util.List.of(
                        new Images.DecodeBuffers(), Images.DecodeBuffers.reusingImages())) {
            decodeTwiceWith(buffers, images);
            buffers.close();
        }
        // Reusing images: the same object for the same size and type, a new one otherwise.
        Images.DecodeBuffers reusing = Images.DecodeBuffers.reusingImages();
        byte[] first = Images.png(TestImages.alphaNoise(64, 64, random));
        byte[] second = Images.png(TestImages.alphaNoise(64, 64, random));
        BufferedImage a = Images.decodeAtLeast(first, 1 << 20, 32, reusing).image();
        BufferedImage b = Images.decodeAtLeast(second, 1 << 20, 32, reusing).image();
        assertThat(b).isSameAs(a);
        assertThat(b.getRGB(0, 0, 64, 64, null, 0, 64))
                .containsExactly(Images.decode(second).getRGB(0, 0, 64, 64, null, 0, 64));
        assertThat(
                        Images.decodeAtLeast(
                                        Images.png(TestImages.alphaNoise(64, 63, random)),
                                        1 << 20,
                                        32,
                                        reusing)
                                .image())
                .isNotSameAs(a);
        Images.DecodeBuffers fresh = new Images.DecodeBuffers();
        assertThat(Images.decodeAtLeast(first, 1 << 20, 32, fresh).image())
                .isNotSameAs(Images.decodeAtLeast(first, 1 << 20, 32, fresh).image());
    }

    /** Decodes every image twice with {@code buffers}, each as a fresh decode gives it. */
    private static void decodeTwiceWith(Images.DecodeBuffers buffers, java.util.List<byte[]> images)
            throws Exception {
        for (int round = 0; round < 2; round++) {
            for (byte[] bytes : images) {
                for (long maxPixels : new long[] {Images.DEFAULT_MAX_DECODED_PIXELS, 1000}) {
                    Images.Scaled fresh;
                    try {
                        fresh = Images.decodeAtLeast(bytes, maxPixels, 32);
                    } catch (Images.UndecodableImageException e) {
                        assertThatThrownBy(
                                        () -> Images.decodeAtLeast(bytes, maxPixels, 32, buffers))
                                .isInstanceOf(Images.UndecodableImageException.class)
                                .hasMessage(e.getMessage());
                        continue;
                    }
                    Images.Scaled reused = Images.decodeAtLeast(bytes, maxPixels, 32, buffers);
                    BufferedImage a = fresh.image();
                    BufferedImage b = reused.image();
                    assertThat(b.getType()).isEqualTo(a.getType());
                    assertThat(reused.divisor()).isEqualTo(fresh.divisor());
                    assertThat(b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()))
                            .containsExactly(
                                    a.getRGB(
                                            0,
                                            0,
                                            a.getWidth(),
                                            a.getHeight(),
                                            null,
                                            0,
                                            a.getWidth()));
                }
            }
        }
    }
}
