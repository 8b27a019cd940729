package io.streamlip.platform.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/** Encoded images, good and bad, for the tests of every module (ingest's test jar). */
public final class TestImages {
    private TestImages() {}

    /** A noisy RGB image (noise keeps the compressed data large, so truncation cuts pixels). */
    public static BufferedImage noise(int w, int h, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    /**
     * Shapes (ovals, rectangles) in random colours and alphas on a ground that is white,
     * transparent or coloured, in an image of {@code type}: pixels of every kind, for the tests
     * that compare a faster image routine with its first version.
     */
    public static BufferedImage shapes(int w, int h, int type, SplittableRandom random) {
        BufferedImage image = new BufferedImage(w, h, type);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int ground = random.nextInt(3);
        if (ground == 0) {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
        } else if (ground == 1) {
            g.setColor(new Color(random.nextInt(1 << 24)));
            g.fillRect(0, 0, w, h);
        }
        int count = 1 + random.nextInt(5);
        for (int k = 0; k < count; k++) {
            g.setColor(new Color(random.nextInt(1 << 24) | random.nextInt(256) << 24, true));
            int x = random.nextInt(-w / 4, w);
            int y = random.nextInt(-h / 4, h);
            int sw = 1 + random.nextInt(Math.max(1, w));
            int sh = 1 + random.nextInt(Math.max(1, h));
            if (random.nextBoolean()) {
                g.fillOval(x, y, sw, sh);
            } else {
                g.fillRect(x, y, sw, sh);
            }
        }
        g.dispose();
        return image;
    }

    /** Every pixel random, alpha too (ARGB): no two samples alike, every alpha value. */
    public static BufferedImage alphaNoise(int w, int h, SplittableRandom random) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    public static byte[] png(int w, int h) {
        return Images.png(noise(w, h, w * 31L + h));
    }

    public static byte[] jpeg(int w, int h) {
        return Images.encode(noise(w, h, w * 17L + h), "jpeg");
    }

    /** The first {@code fraction} of {@code bytes}. */
    public static byte[] truncated(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A PNG signature and IHDR chunk claiming {@code w x h}, with no image data. */
    public static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
