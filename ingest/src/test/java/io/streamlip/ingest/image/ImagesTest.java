package io.streamlip.ingest.image;

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
}
