package io.streamlip.platform.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Decodes bounded by a pixel count: subsampled above it, as ever within it, memory to match. */
class BoundedDecodeTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void subsamplingIsTheSmallestFactorThatFitsTheBound() {
        assertThat(Images.subsampling(64, 64, 4096)).isEqualTo(1);
        assertThat(Images.subsampling(65, 64, 4096)).isEqualTo(2);
        assertThat(Images.subsampling(8000, 5000, Images.DEFAULT_MAX_DECODED_PIXELS)).isEqualTo(4);
        for (long w : new long[] {1, 7, 100, 8000, 65_535}) {
            for (long h : new long[] {1, 3, 999, 5000, 65_535}) {
                for (long max : new long[] {1, 10, 4096, 1 << 22}) {
                    int s = Images.subsampling(w, h, max);
                    long kept = Images.ceilDiv(w, s) * Images.ceilDiv(h, s);
                    assertThat(kept <= max || s >= Math.max(w, h)).isTrue();
                    if (s > 1) {
                        assertThat(Images.ceilDiv(w, s - 1) * Images.ceilDiv(h, s - 1))
                                .isGreaterThan(max);
                    }
                }
            }
        }
    }

    @Test
    void aboveTheBoundEveryFormatDecodesAsImageIoSubsamplesIt() throws Exception {
        SplittableRandom random = new SplittableRandom(8);
        BufferedImage rgb = TestImages.shapes(203, 151, BufferedImage.TYPE_INT_RGB, random);
        BufferedImage argb = TestImages.alphaNoise(157, 99, random);
        byte[][] images = {
            Images.png(rgb), // fast path, RGB
            Images.png(argb), // fast path, RGBA
            Images.encode(rgb, "jpeg"),
            Images.encode(rgb, "gif"),
            Images.encode(rgb, "bmp"),
            LargeImages.png(301, 211, true, 16, 4) // ImageIO, 16-bit
        };
        for (byte[] bytes : images) {
            Images.Header header = Images.probe(bytes).orElseThrow();
            for (long max : new long[] {header.pixels(), 12_000, 5000, 2500}) {
                int s = Images.subsampling(header.width(), header.height(), max);
                BufferedImage decoded = Images.decode(bytes, max);
                BufferedImage reference = imageIoSubsampled(bytes, header.format(), s);
                String what = header + " within " + max;
                assertThat((long) decoded.getWidth() * decoded.getHeight())
                        .as(what)
                        .isLessThanOrEqualTo(max);
                assertThat(decoded.getWidth()).as(what).isEqualTo(reference.getWidth());
                assertThat(decoded.getHeight()).as(what).isEqualTo(reference.getHeight());
                assertThat(Images.argb(decoded)).as(what).containsExactly(Images.argb(reference));
            }
        }
    }

    @Test
    void withinTheBoundTheImageIsTheWholeOneAsBefore() throws Exception {
        byte[] png = TestImages.png(300, 200);
        BufferedImage whole = Images.decode(png, 300 * 200);
        assertThat(whole.getWidth()).isEqualTo(300);
        assertThat(Images.argb(whole)).containsExactly(Images.argb(ImageIO.read(in(png))));
        assertThat(Images.argb(Images.decode(png, Long.MAX_VALUE)))
                .containsExactly(Images.argb(whole));
    }

    @Test
    void rowsTooWideForTheBoundAreRefusedBeforeDecoding() {
        byte[] wide = TestImages.pngHeaderOnly(1_000_000, 100);
        assertThatThrownBy(() -> Images.decode(wide, 4096))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageContaining("too wide");
    }

    @Test
    @Tag("integration")
    void a40MegapixelImageDecodesInTheBoundsMemory() throws Exception {
        long max = Images.DEFAULT_MAX_DECODED_PIXELS;
        byte[][] images = {
            LargeImages.png(8000, 5000, true, 8, 1), LargeImages.png(8000, 5000, true, 16, 2)
        };
        Images.decode(TestImages.png(64, 64)); // warm up
        for (byte[] bytes : images) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            BufferedImage image = Images.decode(bytes);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertThat(image.getWidth()).isEqualTo(2000);
            assertThat(image.getHeight()).isEqualTo(1250);
            // At most 8 bytes a kept pixel (16-bit RGBA), plus rows, buffers and the stream cache.
            assertThat(allocated).isLessThan(max * 8 + 2L * bytes.length + (8L << 20));
        }
    }

    private static BufferedImage imageIoSubsampled(byte[] bytes, String format, int s)
            throws Exception {
        ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
        try (ImageInputStream stream = ImageIO.createImageInputStream(in(bytes))) {
            reader.setInput(stream, true, true);
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(s, s, 0, 0);
            return reader.read(0, param);
        } finally {
            reader.dispose();
        }
    }

    private static ByteArrayInputStream in(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
