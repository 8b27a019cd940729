package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import org.junit.jupiter.api.Test;

class ImageValidityTest {
    private final ImageValidity validity = new ImageValidity(FilterConfig.defaults());

    @Test
    void acceptsWholePngAndJpegWithTheirHeader() {
        assertThat(validity.check(TestImages.png(64, 48)).value())
                .isEqualTo(new Images.Header("png", 64, 48));
        assertThat(validity.check(TestImages.jpeg(40, 120)).value())
                .isEqualTo(new Images.Header("jpeg", 40, 120));
    }

    @Test
    void refusesMissingBytes() {
        assertThat(reason(validity.check(null))).isEqualTo(RejectReason.IMAGE_MISSING);
        assertThat(reason(validity.check(new byte[0]))).isEqualTo(RejectReason.IMAGE_MISSING);
    }

    @Test
    void refusesRandomBytesAsUnknownFormat() {
        Verdict<Images.Header> verdict = validity.check(TestImages.randomBytes(5000, 3));
        assertThat(reason(verdict)).isEqualTo(RejectReason.IMAGE_UNDECODABLE);
        assertThat(detail(verdict)).contains("unknown image format");
    }

    @Test
    void refusesTruncatedPng() {
        byte[] half = TestImages.truncated(TestImages.png(64, 64), 0.5);
        assertThat(Images.probe(half)).isPresent(); // the header survives, the pixels do not
        assertThat(reason(validity.check(half))).isEqualTo(RejectReason.IMAGE_TRUNCATED);
    }

    @Test
    void refusesTruncatedJpegThatImageIoWouldDecodeWithGrey() throws Exception {
        byte[] half = TestImages.truncated(TestImages.jpeg(64, 64), 0.5);
        // Plain ImageIO "succeeds" (warning only, missing rows grey): the strict decode must not.
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(half)).getWidth())
                .isEqualTo(64);
        Verdict<Images.Header> verdict = validity.check(half);
        // The container check names it before a decoder runs.
        assertThat(reason(verdict)).isEqualTo(RejectReason.IMAGE_TRUNCATED);
        assertThat(detail(verdict)).contains("end-of-image marker");
    }

    @Test
    void refusesADecompressionBombFromItsHeaderAlone() {
        byte[] bomb = TestImages.pngHeaderOnly(50_000, 50_000);
        Verdict<Images.Header> verdict = validity.check(bomb);
        assertThat(reason(verdict)).isEqualTo(RejectReason.IMAGE_TOO_LARGE);
        assertThat(detail(verdict)).contains("2500000000 pixels").contains("not decoded");
    }

    @Test
    void refusesOversizedEncodedBytesBeforeReadingThem() {
        ImageValidity strict =
                new ImageValidity(
                        FilterConfig.builder()
                                .maxImageBytes(1000)
                                .dedupRetention(java.time.Duration.ofDays(1))
                                .build());
        assertThat(reason(strict.check(TestImages.png(64, 64))))
                .isEqualTo(RejectReason.IMAGE_TOO_LARGE);
    }

    @Test
    void refusesTinyImagesAndExtremeAspect() {
        assertThat(reason(validity.check(TestImages.png(8, 8))))
                .isEqualTo(RejectReason.IMAGE_TOO_SMALL);
        assertThat(reason(validity.check(TestImages.png(200, 15))))
                .isEqualTo(RejectReason.IMAGE_TOO_SMALL);
        Verdict<Images.Header> banner = validity.check(TestImages.png(400, 20));
        assertThat(reason(banner)).isEqualTo(RejectReason.IMAGE_ASPECT);
        assertThat(detail(banner)).contains("20.00");
        assertThat(validity.check(TestImages.png(128, 16)).accepted()).isTrue(); // exactly 8:1
    }

    @Test
    void refusesFormatsOutsideTheAllowlistFromTheHeader() {
        java.awt.image.BufferedImage noise = TestImages.noise(64, 48, 5);
        byte[] tiff = Images.encode(noise, "tiff");
        java.awt.image.BufferedImage binary =
                new java.awt.image.BufferedImage(
                        64, 48, java.awt.image.BufferedImage.TYPE_BYTE_BINARY);
        binary.getGraphics().drawImage(noise, 0, 0, null);
        byte[] wbmp = Images.encode(binary, "wbmp");
        // ImageIO reads both; the allowlist refuses them before any reader sees the bytes.
        for (byte[] bytes : new byte[][] {tiff, wbmp}) {
            Verdict<Images.Header> verdict = validity.check(bytes);
            assertThat(reason(verdict)).isEqualTo(RejectReason.IMAGE_FORMAT_NOT_ALLOWED);
        }
        assertThat(detail(validity.check(tiff))).contains("tiff");
        assertThat(detail(validity.check(wbmp))).contains("wbmp");
        assertThat(Images.probe(tiff)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Images.decode(wbmp))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageContaining("not allowed");
        // The allowed ones still pass.
        for (String format : new String[] {"png", "jpeg", "gif", "bmp"}) {
            byte[] bytes = Images.encode(noise, format);
            assertThat(validity.check(bytes).value()).isEqualTo(new Images.Header(format, 64, 48));
        }
    }

    @Test
    void acceptsBytesAfterTheEndOfAPngOrJpegAndStillRefusesACutOne() {
        byte[] junk = "<!-- appended by a web server -->\n".getBytes();
        for (byte[] image : new byte[][] {TestImages.png(64, 48), TestImages.jpeg(64, 48)}) {
            byte[] trailing = java.util.Arrays.copyOf(image, image.length + junk.length);
            System.arraycopy(junk, 0, trailing, image.length, junk.length);
            assertThat(validity.check(trailing).accepted()).as("trailing junk").isTrue();
            byte[] zeros = java.util.Arrays.copyOf(image, image.length + 100);
            assertThat(validity.check(zeros).accepted()).as("zero padding").isTrue();
            for (double fraction : new double[] {0.3, 0.9, 0.99}) {
                byte[] cut = TestImages.truncated(image, fraction);
                assertThat(reason(validity.check(cut))).isEqualTo(RejectReason.IMAGE_TRUNCATED);
            }
            // Cut one byte short of the end marker: still truncated.
            byte[] oneShort = java.util.Arrays.copyOf(image, image.length - 1);
            assertThat(reason(validity.check(oneShort))).isEqualTo(RejectReason.IMAGE_TRUNCATED);
        }
    }

    @Test
    void refusesAGifWhoseImageDataIsCutShort() {
        // ImageIO decodes a GIF cut inside its image data without an error or a warning.
        byte[] gif = Images.encode(TestImages.noise(64, 48, 9), "gif");
        byte[] cut = TestImages.truncated(gif, 0.6);
        assertThat(reason(validity.check(cut))).isEqualTo(RejectReason.IMAGE_TRUNCATED);
        assertThat(validity.check(gif).accepted()).isTrue();
        byte[] withoutTrailer = java.util.Arrays.copyOf(gif, gif.length - 1);
        assertThat(validity.check(withoutTrailer).accepted()).as("no trailer byte").isTrue();
    }

    static RejectReason reason(Verdict<?> verdict) {
        assertThat(verdict).isInstanceOf(Verdict.Refused.class);
        return ((Verdict.Refused<?>) verdict).reason();
    }

    static String detail(Verdict<?> verdict) {
        return ((Verdict.Refused<?>) verdict).detail();
    }
}
