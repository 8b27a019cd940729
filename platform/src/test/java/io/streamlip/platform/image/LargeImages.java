package io.streamlip.platform.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Images as large as the filter's defaults accept (tens of megapixels) that still compress to a few
 * megabytes: a checkerboard of a few flat cells, which both PNG and JPEG encode cheaply. The
 * pattern depends on {@code seed} (cell count and colours), so images of different seeds are
 * neither duplicates nor near-duplicates of each other.
 */
public final class LargeImages {
    private LargeImages() {}

    /**
     * An 8-bit PNG ({@code alpha}: RGBA, else RGB), written row by row: the whole image is never
     * held in memory, so a test can make one far larger than its own heap would allow as a raster.
     */
    public static byte[] png(int w, int h, boolean alpha, int seed) {
        return png(w, h, alpha, 8, seed);
    }

    /**
     * As {@link #png(int, int, boolean, int)}, with {@code bitDepth} 8 or 16 bits a sample (16: 8
     * bytes an RGBA pixel, which ImageIO decodes into a raster of shorts).
     */
    public static byte[] png(int w, int h, boolean alpha, int bitDepth, int seed) {
        int channels = alpha ? 4 : 3;
        int bytes = bitDepth / 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h);
        ihdr.put((byte) bitDepth)
                .put((byte) (alpha ? 6 : 2))
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + w * channels * bytes];
            for (int y = 0; y < h; y++) {
                for (int x = 0, i = 1; x < w; x++) {
                    int rgb = colour(x, y, w, h, seed);
                    int[] samples = {
                        rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff, x * 4 < w ? 128 : 255
                    };
                    for (int c = 0; c < channels; c++) {
                        for (int k = 0; k < bytes; k++) {
                            row[i++] = (byte) samples[c];
                        }
                    }
                }
                z.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
        }
        byte[] data = idat.toByteArray();
        // Several IDAT chunks, as encoders write them.
        for (int at = 0; at < data.length; at += 1 << 20) {
            chunk(
                    out,
                    "IDAT",
                    java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + (1 << 20))));
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A JPEG of the same pattern (needs a {@code w x h} RGB raster while encoding). */
    public static byte[] jpeg(int w, int h, int seed) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        int cells = cells(seed);
        for (int cy = 0; cy < cells; cy++) {
            for (int cx = 0; cx < cells; cx++) {
                int x0 = (int) ((long) cx * w / cells);
                int y0 = (int) ((long) cy * h / cells);
                g.setColor(new Color(colour(x0, y0, w, h, seed)));
                g.fillRect(
                        x0,
                        y0,
                        (int) ((long) (cx + 1) * w / cells) - x0,
                        (int) ((long) (cy + 1) * h / cells) - y0);
            }
        }
        g.dispose();
        return Images.encode(image, "jpeg");
    }

    private static int cells(int seed) {
        return 2 + Math.floorMod(seed, 5);
    }

    private static int colour(int x, int y, int w, int h, int seed) {
        int cells = cells(seed);
        int cx = (int) ((long) x * cells / w);
        int cy = (int) ((long) y * cells / h);
        boolean dark = ((cx + cy + seed) & 1) == 0;
        int hue = Math.floorMod(seed * 67, 200);
        return dark ? (hue << 16 | 40 << 8 | (200 - hue)) : 0xF0F0F0;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
