package io.streamlip.platform.image;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * JPEGs as the web serves them, for the tests and {@code bench datapath}: photo-like pictures
 * (smooth gradients, soft shapes, sensor-like noise) of 320 to 2,048 px a side, quality 60 to 95,
 * baseline or progressive, some with an EXIF orientation, a few CMYK (Adobe-inverted, as Photoshop
 * writes them). The same seed gives the same bytes. In platform's main artifact (plain JDK, no
 * dependency) so that {@code bench datapath} and platform's own decode tests share it without a
 * test-jar on any launcher's classpath.
 */
public final class WebImages {
    private WebImages() {}

    /**
     * How one JPEG is written.
     *
     * @param width side in pixels as stored (before any EXIF turn)
     * @param height side in pixels as stored
     * @param quality 1 to 100
     * @param progressive progressive scans instead of one baseline scan
     * @param orientation EXIF orientation 1 to 8 written in an APP1 segment, 0 for none
     * @param cmyk four Adobe-inverted CMYK components instead of YCbCr
     */
    public record Spec(
            int width,
            int height,
            int quality,
            boolean progressive,
            int orientation,
            boolean cmyk) {
        public Spec {
            if (width < 1 || height < 1 || quality < 1 || quality > 100) {
                throw new IllegalArgumentException("bad spec " + width + "x" + height);
            }
            if (orientation < 0 || orientation > 8) {
                throw new IllegalArgumentException("orientation " + orientation);
            }
        }

        /** A baseline JPEG of quality 85, no EXIF, YCbCr: the common case. */
        public static Spec plain(int width, int height) {
            return new Spec(width, height, 85, false, 0, false);
        }
    }

    /**
     * A spec drawn as a crawl's would be: long side 320 to 2,048, aspect 3:4 to 16:9 either way,
     * quality 60 to 95, a third progressive, a fifth with an EXIF orientation (2 to 8), one in 25
     * CMYK.
     */
    public static Spec sample(SplittableRandom random) {
        int longSide = random.nextInt(320, 2049);
        double aspect = 1 + random.nextDouble() * (16.0 / 9 - 1);
        int shortSide = Math.max(240, (int) Math.round(longSide / aspect));
        boolean landscape = random.nextInt(3) > 0;
        return new Spec(
                landscape ? longSide : shortSide,
                landscape ? shortSide : longSide,
                random.nextInt(60, 96),
                random.nextInt(3) == 0,
                random.nextInt(5) == 0 ? random.nextInt(2, 9) : 0,
                random.nextInt(25) == 0);
    }

    /** The JPEG of {@link #photo} with {@code spec}'s size, written as {@code spec} says. */
    public static byte[] jpeg(Spec spec, long seed) {
        return jpeg(photo(spec.width(), spec.height(), seed), spec);
    }

    /** {@code image} written as {@code spec} says (its size is the image's). */
    public static byte[] jpeg(BufferedImage image, Spec spec) {
        byte[] bytes = spec.cmyk() ? cmyk(image, spec) : ycc(image, spec);
        return spec.orientation() == 0 ? bytes : withOrientation(bytes, spec.orientation());
    }

    /**
     * A photo-like RGB picture: a two-colour gradient, a few soft-edged shapes and per-pixel noise
     * of a few levels, which keeps the entropy-coded size near a camera photo's at the same quality
     * (about 90 KB for 640 x 480 at quality 85).
     */
    public static BufferedImage photo(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(
                new GradientPaint(
                        0,
                        0,
                        new Color(random.nextInt(1 << 24)),
                        width,
                        height,
                        new Color(random.nextInt(1 << 24))));
        g.fillRect(0, 0, width, height);
        int shapes = 3 + random.nextInt(6);
        for (int k = 0; k < shapes; k++) {
            g.setColor(new Color(random.nextInt(1 << 24) | (96 + random.nextInt(160)) << 24, true));
            int w = width / 8 + random.nextInt(Math.max(1, width / 2));
            int h = height / 8 + random.nextInt(Math.max(1, height / 2));
            int x = random.nextInt(-w / 2, width);
            int y = random.nextInt(-h / 2, height);
            if (random.nextBoolean()) {
                g.fillOval(x, y, w, h);
            } else {
                g.fillRoundRect(x, y, w, h, w / 4, h / 4);
            }
        }
        g.dispose();
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            int n = random.nextInt(-10, 11);
            int r = clamp(((p >> 16) & 0xff) + n + random.nextInt(-3, 4));
            int gr = clamp(((p >> 8) & 0xff) + n + random.nextInt(-3, 4));
            int b = clamp((p & 0xff) + n + random.nextInt(-3, 4));
            pixels[i] = r << 16 | gr << 8 | b;
        }
        return image;
    }

    /**
     * {@code jpeg} with an EXIF APP1 segment holding only {@code orientation}, right after SOI (and
     * after a JFIF APP0, which must come first).
     */
    public static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] exif = {
            (byte) 0xFF,
            (byte) 0xE1,
            0,
            34, // APP1, length 34 (itself and what follows)
            'E',
            'x',
            'i',
            'f',
            0,
            0,
            'M',
            'M',
            0,
            42,
            0,
            0,
            0,
            8, // big-endian TIFF header, first IFD at offset 8
            0,
            1, // one entry
            0x01,
            0x12,
            0,
            3,
            0,
            0,
            0,
            1,
            0,
            (byte) orientation,
            0,
            0, // Orientation, SHORT
            0,
            0,
            0,
            0 // no next IFD
        };
        int at = 2;
        if ((jpeg[2] & 0xff) == 0xFF && (jpeg[3] & 0xff) == 0xE0) {
            at = 4 + ((jpeg[4] & 0xff) << 8 | (jpeg[5] & 0xff));
        }
        byte[] out = new byte[jpeg.length + exif.length];
        System.arraycopy(jpeg, 0, out, 0, at);
        System.arraycopy(exif, 0, out, at, exif.length);
        System.arraycopy(jpeg, at, out, at + exif.length, jpeg.length - at);
        return out;
    }

    /**
     * What {@code image} looks like after a viewer applies {@code orientation} (1 to 8) to it: the
     * expected result of decoding a JPEG that stores {@code image} with that tag.
     */
    public static BufferedImage oriented(BufferedImage image, int orientation) {
        return ExifOrientation.apply(image, orientation);
    }

    private static byte[] ycc(BufferedImage image, Spec spec) {
        return write(new IIOImage(image, null, null), spec);
    }

    /**
     * Four components, stored inverted (255 = no ink) as Adobe's encoders do, with no colour
     * transform; ImageIO writes a raster's bands as they are, and the Adobe APP14 segment added
     * after SOI tells decoders what they are.
     */
    private static byte[] cmyk(BufferedImage image, Spec spec) {
        int w = image.getWidth();
        int h = image.getHeight();
        WritableRaster raster = Raster.createInterleavedRaster(0, w, h, 4, null);
        int[] sample = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                int r = (p >> 16) & 0xff;
                int g = (p >> 8) & 0xff;
                int b = p & 0xff;
                int k = 255 - Math.max(r, Math.max(g, b));
                int white = 255 - k;
                // Ink of each of C, M, Y beside K; stored inverted.
                sample[0] = white == 0 ? 255 : 255 - (white - r) * 255 / white;
                sample[1] = white == 0 ? 255 : 255 - (white - g) * 255 / white;
                sample[2] = white == 0 ? 255 : 255 - (white - b) * 255 / white;
                sample[3] = 255 - k;
                raster.setPixel(x, y, sample);
            }
        }
        byte[] plain = write(new IIOImage(raster, null, null), spec);
        byte[] adobe = {
            (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0
        };
        byte[] out = new byte[plain.length + adobe.length];
        System.arraycopy(plain, 0, out, 0, 2);
        System.arraycopy(adobe, 0, out, 2, adobe.length);
        System.arraycopy(plain, 2, out, 2 + adobe.length, plain.length - 2);
        return out;
    }

    private static byte[] write(IIOImage image, Spec spec) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(spec.quality() / 100f);
            if (spec.progressive()) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
