package io.streamlip.platform.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Hostile image bytes for fuzzing the decoders, each a pure function of a seed: random bytes, real
 * PNG (RGB, RGBA, palette, grey 16-bit), JPEG, GIF and BMP encodings truncated, bit-flipped or with
 * their headers rewritten to claim huge, zero or negative sizes, chunk lengths past the end, and a
 * few crafted bombs (a palette PNG with a compressed text chunk that inflates a thousandfold).
 */
public final class FuzzImages {
    /** Real encodings the mutations start from (small: each case must run in milliseconds). */
    private static final List<byte[]> SEEDS = seeds();

    private FuzzImages() {}

    /** The case of {@code seed}. */
    public static byte[] sample(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int kind = r.nextInt(10);
        if (kind == 0) {
            return TestImages.randomBytes(r.nextInt(1, 4000), r.nextLong());
        }
        byte[] base = SEEDS.get(r.nextInt(SEEDS.size())).clone();
        return switch (kind) {
            case 1 -> Arrays.copyOf(base, r.nextInt(0, base.length)); // truncated
            case 2, 3 -> flipBits(base, r, 1 + r.nextInt(8));
            case 4, 5 -> claimSize(base, r);
            case 6 -> chunkPastTheEnd(base, r);
            case 7 -> flipBits(claimSize(base, r), r, 1 + r.nextInt(4));
            case 8 -> Arrays.copyOf(claimSize(base, r), r.nextInt(1, base.length + 1));
            default -> bomb(r);
        };
    }

    /** Every seed image, unmutated, e.g. to warm decoders up before measuring allocations. */
    public static List<byte[]> seedImages() {
        return SEEDS.stream().map(byte[]::clone).toList();
    }

    private static byte[] flipBits(byte[] b, SplittableRandom r, int flips) {
        if (b.length == 0) {
            return b;
        }
        for (int i = 0; i < flips; i++) {
            // Flip mostly in the header, where the sizes and lengths are.
            int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(Math.min(b.length, 64));
            b[at] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    /** A size field rewritten: huge, zero, negative or just large. */
    private static int claimed(SplittableRandom r, int bits) {
        int max = bits == 16 ? 0xffff : Integer.MAX_VALUE;
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> bits == 16 ? max : -1 - r.nextInt(1 << 20);
            case 2 -> max;
            case 3 -> r.nextInt(1, 70_000);
            case 4 -> r.nextInt(1, 5_000);
            default -> r.nextInt(1, 300);
        };
    }

    private static byte[] claimSize(byte[] b, SplittableRandom r) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        String format = ImageFormats.sniff(b);
        if (format == null) {
            return b;
        }
        switch (format) {
            case "png" -> {
                if (b.length >= 33) {
                    buf.putInt(16, claimed(r, 32)).putInt(20, claimed(r, 32));
                    if (r.nextBoolean()) { // keep the CRC right, so only the size is wrong
                        CRC32 crc = new CRC32();
                        crc.update(b, 12, 17);
                        buf.putInt(29, (int) crc.getValue());
                    }
                }
            }
            case "jpeg" -> {
                for (int i = 2; i + 9 < b.length; i++) {
                    int m = b[i + 1] & 0xff;
                    if ((b[i] & 0xff) == 0xff && m >= 0xc0 && m <= 0xc2) {
                        buf.putShort(i + 5, (short) claimed(r, 16));
                        buf.putShort(i + 7, (short) claimed(r, 16));
                        break;
                    }
                }
            }
            case "gif" -> {
                if (b.length >= 10) {
                    buf.order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    buf.putShort(6, (short) claimed(r, 16)).putShort(8, (short) claimed(r, 16));
                    // The first image descriptor (after a global colour table, if any).
                    int at = 13 + ((b[10] & 0x80) != 0 ? 3 * (2 << (b[10] & 7)) : 0);
                    while (at < b.length && b[at] == 0x21 && at + 3 < b.length) {
                        at += 2; // extension: skip its sub-blocks
                        while (at < b.length && b[at] != 0) {
                            at += 1 + (b[at] & 0xff);
                        }
                        at++;
                    }
                    if (at + 9 < b.length && b[at] == 0x2c) {
                        buf.putShort(at + 5, (short) claimed(r, 16));
                        buf.putShort(at + 7, (short) claimed(r, 16));
                    }
                }
            }
            case "bmp" -> {
                if (b.length >= 38) {
                    buf.order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    buf.putInt(18, claimed(r, 32)).putInt(22, claimed(r, 32));
                    if (r.nextBoolean()) {
                        buf.putInt(34, claimed(r, 32)); // the image size field
                    }
                }
            }
            default -> {}
        }
        return b;
    }

    /** A PNG chunk's length rewritten to run past the end of the file. */
    private static byte[] chunkPastTheEnd(byte[] b, SplittableRandom r) {
        if (!"png".equals(ImageFormats.sniff(b))) {
            return flipBits(b, r, 2);
        }
        List<Integer> chunks = new ArrayList<>();
        for (long at = 8; at + 8 <= b.length; ) {
            chunks.add((int) at);
            at += 12 + (ByteBuffer.wrap(b).getInt((int) at) & 0xffffffffL);
        }
        int at = chunks.get(r.nextInt(chunks.size()));
        int length = r.nextBoolean() ? b.length : r.nextInt();
        ByteBuffer.wrap(b).putInt(at, length);
        return b;
    }

    /** Crafted bombs: small files that claim or inflate to far more than they hold. */
    private static byte[] bomb(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> palettePngWithTextBomb(r.nextInt(4, 17) << 20);
            case 1 -> TestImages.pngHeaderOnly(r.nextInt(1, 20_000), r.nextInt(1, 20_000));
            default -> {
                // A BMP that says it is RLE-compressed with a huge image size.
                byte[] bmp = SEEDS.get(SEEDS.size() - 1).clone();
                ByteBuffer buf = ByteBuffer.wrap(bmp).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                buf.putShort(28, (short) 8).putInt(30, 1).putInt(34, claimed(r, 32));
                yield bmp;
            }
        };
    }

    /** A 32 x 32 palette PNG with a zTXt chunk that inflates to {@code inflated} bytes. */
    public static byte[] palettePngWithTextBomb(int inflated) {
        byte[] png = Images.png(indexed(32, 32, 1));
        byte[] text = new byte[inflated];
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(text);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes("Comment".getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        data.write(0); // compression method: deflate
        data.writeBytes(compressed.toByteArray());
        // Insert the chunk right after IHDR (33 bytes in).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        byte[] body = data.toByteArray();
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        byte[] type = "zTXt".getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(type);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    private static List<byte[]> seeds() {
        SplittableRandom r = new SplittableRandom(42);
        BufferedImage rgb = TestImages.shapes(48, 40, BufferedImage.TYPE_INT_RGB, r);
        BufferedImage argb = TestImages.alphaNoise(40, 48, r);
        BufferedImage grey16 = new BufferedImage(24, 24, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getGraphics().drawImage(rgb, 0, 0, null);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Images.png(rgb));
        seeds.add(Images.png(argb));
        seeds.add(Images.png(indexed(40, 40, 2)));
        seeds.add(Images.png(grey16));
        seeds.add(Images.encode(rgb, "jpeg"));
        seeds.add(Images.encode(indexed(40, 32, 3), "gif"));
        seeds.add(Images.encode(rgb, "bmp")); // last: the RLE bomb rewrites it
        return List.copyOf(seeds);
    }

    private static BufferedImage indexed(int w, int h, int seed) {
        byte[] reds = new byte[16];
        byte[] greens = new byte[16];
        byte[] blues = new byte[16];
        for (int i = 0; i < 16; i++) {
            reds[i] = (byte) (i * 16);
            greens[i] = (byte) (255 - i * 16);
            blues[i] = (byte) (i * 7 * seed);
        }
        BufferedImage image =
                new BufferedImage(
                        w,
                        h,
                        BufferedImage.TYPE_BYTE_INDEXED,
                        new IndexColorModel(4, 16, reds, greens, blues));
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.RED);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return image;
    }
}
