package io.streamlip.ingest.noise;

import io.streamlip.platform.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/** The image damage the simulator does, each a pure function of its inputs and a random source. */
final class ImageNoise {
    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
    };

    /** What a bomb's header claims. */
    static final int BOMB_SIDE = 50_000;

    private ImageNoise() {}

    /** Random bytes, half the time behind a PNG signature and a plausible header. */
    static byte[] corrupt(SplittableRandom random) {
        byte[] garbage = new byte[200 + random.nextInt(4000)];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) random.nextInt(256);
        }
        if (random.nextBoolean()) {
            return garbage;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr(64, 64)));
        out.writeBytes(chunk("IDAT", garbage));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** The image as PNG or JPEG, cut at 20-90% of its length. */
    static byte[] truncated(BufferedImage image, SplittableRandom random) {
        byte[] whole =
                random.nextBoolean() ? Images.png(image) : Images.encode(opaque(image), "jpeg");
        int keep = (int) (whole.length * (0.2 + 0.7 * random.nextDouble()));
        return Arrays.copyOf(whole, Math.max(keep, 16));
    }

    /** A valid-looking PNG (signature, IHDR, a little compressed data, IEND) of 50,000 x 50,000. */
    static byte[] bomb(SplittableRandom random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr(BOMB_SIDE, BOMB_SIDE)));
        // A deflate stream of zeros compresses ~1000:1: the real bombs are a few KB.
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9);
        deflater.setInput(new byte[1 << 20]);
        deflater.finish();
        byte[] buffer = new byte[1 << 16];
        int n = deflater.deflate(buffer);
        deflater.end();
        out.writeBytes(chunk("IDAT", Arrays.copyOf(buffer, n)));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** The image at 1-8 px a side. */
    static byte[] tiny(BufferedImage image, SplittableRandom random) {
        int side = 1 + random.nextInt(8);
        return Images.png(resize(image, side, side));
    }

    /** The image stretched to a 16:1 banner (256 x 16 or 16 x 256). */
    static byte[] aspect(BufferedImage image, SplittableRandom random) {
        return random.nextBoolean()
                ? Images.png(resize(image, 256, 16))
                : Images.png(resize(image, 16, 256));
    }

    /**
     * A near copy: JPEG re-encoding, a resize (75-125%), a crop of 1-3 px a side, or a shift by 1-2
     * px, chosen at random.
     */
    static byte[] nearCopy(BufferedImage image, SplittableRandom random) {
        int w = image.getWidth();
        int h = image.getHeight();
        return switch (random.nextInt(4)) {
            case 0 -> Images.encode(opaque(image), "jpeg");
            case 1 -> {
                double scale = 0.75 + 0.5 * random.nextDouble();
                yield Images.png(
                        resize(
                                image,
                                Math.max(8, (int) Math.round(w * scale)),
                                Math.max(8, (int) Math.round(h * scale))));
            }
            case 2 -> {
                int c = 1 + random.nextInt(3);
                yield Images.png(copy(image.getSubimage(c, c, w - 2 * c, h - 2 * c)));
            }
            default -> {
                int dx = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
                int dy = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
                BufferedImage shifted = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
                Graphics2D g = shifted.createGraphics();
                g.drawImage(image, dx, dy, null);
                g.dispose();
                yield Images.png(shifted);
            }
        };
    }

    /** A new "logo": a few coloured boxes and discs on a coloured ground, 64 px. */
    static BufferedImage logo(SplittableRandom random) {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(random.nextInt(1 << 24)));
        g.fillRect(0, 0, 64, 64);
        for (int i = 0; i < 4; i++) {
            g.setColor(new Color(random.nextInt(1 << 24)));
            int x = random.nextInt(48);
            int y = random.nextInt(48);
            int s = 8 + random.nextInt(24);
            if (random.nextBoolean()) {
                g.fillOval(x, y, s, s);
            } else {
                g.fillRect(x, y, s, s);
            }
        }
        g.dispose();
        return image;
    }

    /** The image on white, without alpha (what a JPEG re-encode of a transparent PNG shows). */
    static BufferedImage opaque(BufferedImage image) {
        BufferedImage out =
                new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static BufferedImage copy(BufferedImage image) {
        BufferedImage out =
                new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    private static byte[] ihdr(int w, int h) {
        return ByteBuffer.allocate(13)
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 6)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .array();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(name)
                .put(data)
                .putInt((int) crc.getValue())
                .array();
    }
}
