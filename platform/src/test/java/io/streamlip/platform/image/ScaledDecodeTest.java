package io.streamlip.platform.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Images#decodeAtLeast}: JPEGs decoded at 1/2, 1/4 or 1/8 scale in the DCT when the
 * consumers need no more, upright by their EXIF orientation whichever decoder ran, CMYK and
 * progressive ones too; other formats as before.
 */
class ScaledDecodeTest {
    private static final long MAX = Images.DEFAULT_MAX_DECODED_PIXELS;

    @Test
    void theNativeDecoderLoadsOnLinuxX8664() {
        assertThat(OpenCvJpeg.available()).isTrue();
    }

    @Test
    void picksTheSmallestScaleWhoseSidesStillCoverTheNeed() {
        assertThat(Images.reduction(640, 480, MAX, 224)).isEqualTo(2);
        assertThat(Images.reduction(1024, 768, MAX, 224)).isEqualTo(2);
        assertThat(Images.reduction(2048, 1536, MAX, 224)).isEqualTo(4);
        assertThat(Images.reduction(640, 480, MAX, 32)).isEqualTo(8);
        assertThat(Images.reduction(300, 200, MAX, 224)).isEqualTo(1);
        assertThat(Images.reduction(240, 240, MAX, 32)).isEqualTo(4); // 1/8 is 30 x 30
        assertThat(Images.reduction(257, 257, MAX, 33))
                .isEqualTo(8); // ceil(257 / 8) = 33: rounded up, as libjpeg does
        // Within the decode bound too: 1/2 of 4096 x 4096 holds more than 1024 x 1024.
        assertThat(Images.reduction(4096, 4096, 1024L * 1024, 600)).isEqualTo(4);
    }

    @Test
    void aWebJpegDecodesReducedCloseToTheFullDecodeAveraged() throws Exception {
        byte[] jpeg = WebImages.jpeg(WebImages.Spec.plain(640, 480), 1);
        Images.Header header = Images.probe(jpeg).orElseThrow();
        BufferedImage full = Images.decode(jpeg);
        for (int need : new int[] {224, 100, 32}) {
            Images.Scaled scaled = Images.decodeAtLeast(jpeg, MAX, need);
            int r = scaled.divisor();
            assertThat(r).isEqualTo(Images.reduction(640, 480, MAX, need)).isGreaterThan(1);
            assertThat(scaled.matches(header)).isTrue();
            assertThat(Math.min(scaled.image().getWidth(), scaled.image().getHeight()))
                    .isGreaterThanOrEqualTo(need);
            assertThat(meanAbsDiff(scaled.image(), boxDown(full, r))).isLessThan(3.0);
        }
    }

    @Test
    void everyExifOrientationIsAppliedAlikeByBothDecoders() throws Exception {
        BufferedImage photo = WebImages.photo(400, 240, 7);
        for (int orientation = 1; orientation <= 8; orientation++) {
            byte[] jpeg =
                    WebImages.jpeg(
                            photo, new WebImages.Spec(400, 240, 90, false, orientation, false));
            // ImageIO at full size, turned here; OpenCV at 1/4, turned by imdecode.
            Images.Scaled imageIo = Images.decodeAtLeast(jpeg, MAX, Integer.MAX_VALUE, true);
            Images.Scaled opencv = Images.decodeAtLeast(jpeg, MAX, 60, true);
            Images.Scaled fallback = Images.decodeAtLeast(jpeg, MAX, 60, false);
            boolean quarter = orientation >= 5;
            assertThat(imageIo.divisor()).isEqualTo(1);
            assertThat(opencv.divisor()).isEqualTo(4);
            assertThat(imageIo.image().getWidth()).isEqualTo(quarter ? 240 : 400);
            assertThat(opencv.image().getWidth()).isEqualTo(quarter ? 60 : 100);
            assertThat(fallback.image().getWidth()).isEqualTo(imageIo.image().getWidth());
            Images.Header header = Images.probe(jpeg).orElseThrow();
            assertThat(imageIo.matches(header)).isTrue();
            assertThat(opencv.matches(header)).isTrue();
            assertThat(meanAbsDiff(opencv.image(), boxDown(imageIo.image(), 4)))
                    .as("orientation %d", orientation)
                    .isLessThan(3.0);
            assertThat(meanAbsDiff(imageIo.image(), WebImages.oriented(photo, orientation)))
                    .isLessThan(4.0);
        }
    }

    @Test
    void progressiveAndCmykJpegsDecode() throws Exception {
        BufferedImage photo = WebImages.photo(512, 384, 3);
        byte[] progressive =
                WebImages.jpeg(photo, new WebImages.Spec(512, 384, 75, true, 0, false));
        Images.Scaled reduced = Images.decodeAtLeast(progressive, MAX, 100);
        assertThat(reduced.divisor()).isEqualTo(2);
        assertThat(meanAbsDiff(reduced.image(), boxDown(photo, 2))).isLessThan(4.0);

        byte[] cmyk = WebImages.jpeg(photo, new WebImages.Spec(512, 384, 90, false, 0, true));
        Images.Scaled cmykFull = Images.decodeAtLeast(cmyk, MAX, Integer.MAX_VALUE);
        assertThat(cmykFull.divisor()).isEqualTo(1);
        assertThat(meanAbsDiff(cmykFull.image(), photo)).isLessThan(6.0);
        Images.Scaled cmykReduced = Images.decodeAtLeast(cmyk, MAX, 48);
        assertThat(cmykReduced.divisor()).isEqualTo(8);
        assertThat(meanAbsDiff(cmykReduced.image(), boxDown(photo, 8))).isLessThan(6.0);
        // ImageIO alone has no CMYK conversion: refused, not mis-decoded.
        assertThatThrownBy(() -> Images.decodeAtLeast(cmyk, MAX, 48, false))
                .isInstanceOf(Images.UndecodableImageException.class);
    }

    @Test
    void cutOrCorruptJpegsAreRefusedAtReducedScale() {
        byte[] jpeg = WebImages.jpeg(WebImages.Spec.plain(640, 480), 2);
        assertThatThrownBy(() -> Images.decodeAtLeast(TestImages.truncated(jpeg, 0.5), MAX, 32))
                .isInstanceOf(Images.UndecodableImageException.class);
        byte[] headerOnly = java.util.Arrays.copyOf(jpeg, 700);
        assertThatThrownBy(() -> Images.decodeAtLeast(headerOnly, MAX, 32))
                .isInstanceOf(Images.UndecodableImageException.class);
    }

    @Test
    void pngKeepsItsFastPathAtFullSize() throws Exception {
        byte[] png = TestImages.png(640, 480);
        Images.Scaled scaled = Images.decodeAtLeast(png, MAX, 32);
        assertThat(scaled.divisor()).isEqualTo(1);
        assertThat(meanAbsDiff(scaled.image(), Images.decode(png))).isZero();
    }

    @Test
    void sampledSpecsDecodeAndStayWithinTheirRanges() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 12; i++) {
            WebImages.Spec spec = WebImages.sample(random);
            assertThat(Math.max(spec.width(), spec.height())).isBetween(320, 2048);
            assertThat(spec.quality()).isBetween(60, 95);
            // Small enough to be quick: the sampled size, divided.
            WebImages.Spec small =
                    new WebImages.Spec(
                            spec.width() / 4,
                            spec.height() / 4,
                            spec.quality(),
                            spec.progressive(),
                            spec.orientation(),
                            spec.cmyk());
            byte[] jpeg = WebImages.jpeg(small, i);
            Images.Scaled scaled = Images.decodeAtLeast(jpeg, MAX, 32);
            assertThat(scaled.matches(Images.probe(jpeg).orElseThrow())).isTrue();
        }
    }

    /** {@code image} averaged over r x r blocks (the last ones partial), as the DCT scales. */
    static BufferedImage boxDown(BufferedImage image, int r) {
        int w = image.getWidth();
        int h = image.getHeight();
        int ow = (w + r - 1) / r;
        int oh = (h + r - 1) / r;
        int[] argb = Images.argb(image);
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                long red = 0;
                long green = 0;
                long blue = 0;
                int n = 0;
                for (int y = oy * r; y < Math.min(h, oy * r + r); y++) {
                    for (int x = ox * r; x < Math.min(w, ox * r + r); x++) {
                        int p = argb[y * w + x];
                        red += (p >> 16) & 0xff;
                        green += (p >> 8) & 0xff;
                        blue += p & 0xff;
                        n++;
                    }
                }
                out.setRGB(
                        ox, oy, (int) (red / n) << 16 | (int) (green / n) << 8 | (int) (blue / n));
            }
        }
        return out;
    }

    /** Mean absolute difference per channel, in levels; images of the same size. */
    static double meanAbsDiff(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        int[] pa = Images.argb(a);
        int[] pb = Images.argb(b);
        long sum = 0;
        for (int i = 0; i < pa.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                sum += Math.abs(((pa[i] >> shift) & 0xff) - ((pb[i] >> shift) & 0xff));
            }
        }
        return sum / (3.0 * pa.length);
    }
}
