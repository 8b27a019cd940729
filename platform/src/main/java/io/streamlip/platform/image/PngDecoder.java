package io.streamlip.platform.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A fast path for the PNGs that dominate a crawl of icons: 8-bit RGB or RGBA, not interlaced,
 * without a colour profile or a transparent-colour key. It reads the header from the bytes and
 * inflates and unfilters the pixels, row by row, straight into the raster of the {@link
 * BufferedImage} type ImageIO would return ({@code TYPE_3BYTE_BGR}, {@code TYPE_4BYTE_ABGR}), with
 * the same pixels, at a fraction of ImageIO's cost (service lookup, metadata objects, a raster copy
 * per row).
 *
 * <p>Anything else (other depths and colour types, interlacing, {@code iCCP}, {@code tRNS}, an
 * unknown chunk, a file that does not end with {@code IEND}) answers null, and {@link Images} asks
 * ImageIO as before, so the fast path never accepts what ImageIO would refuse nor reads a supported
 * file differently.
 */
final class PngDecoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Chunks that do not change the pixels ImageIO returns for 8-bit RGB(A). */
    private static final Set<String> HARMLESS =
            Set.of(
                    "PLTE", "tEXt", "zTXt", "iTXt", "pHYs", "tIME", "sRGB", "gAMA", "cHRM", "bKGD",
                    "sBIT", "hIST", "sPLT");

    /** Largest image the fast path decodes whole (bigger ones go to ImageIO, as before). */
    private static final long MAX_PIXELS = 1L << 26;

    /**
     * Inflated bytes staged at a time: whole rows are unfiltered out of this buffer. An image whose
     * data fits (up to about 600 x 400 RGBA) is inflated in one call, as before.
     */
    private static final int STAGING_BYTES = 1 << 20;

    private PngDecoder() {}

    /** What IHDR says, when the bytes are a PNG whose IHDR is well-formed; else null. */
    static Images.Header probe(byte[] bytes) {
        Ihdr ihdr = ihdr(bytes);
        return ihdr == null ? null : new Images.Header("png", ihdr.width, ihdr.height);
    }

    /** {@link #decode(byte[], long)} without a bound: the whole image. */
    static BufferedImage decode(byte[] bytes) throws Images.UndecodableImageException {
        return decode(bytes, Long.MAX_VALUE);
    }

    /** {@link #decode(byte[], long, Images.DecodeBuffers)} with buffers of its own. */
    static BufferedImage decode(byte[] bytes, long maxPixels)
            throws Images.UndecodableImageException {
        Images.DecodeBuffers buffers = new Images.DecodeBuffers();
        try {
            return decode(bytes, maxPixels, buffers);
        } finally {
            buffers.close();
        }
    }

    /**
     * The image, when the fast path supports the file; null when ImageIO must decide. An image of
     * more than {@code maxPixels} pixels is subsampled as {@link Images#decode(byte[], long)}
     * describes (as ImageIO's source subsampling does).
     *
     * <p>The pixel data is inflated a block at a time into a staging buffer and unfiltered a row at
     * a time (two row buffers), so the working memory is the staging buffer and two rows whatever
     * the image's size; only the rows and columns kept are written to the raster.
     *
     * <p>The inflater, the staging buffer and the row buffers come from {@code buffers}, which a
     * caller decoding many images on one thread keeps (an inflater's native state and the staging
     * buffer were most of what a small image's decode allocated); the pixels are the same.
     *
     * @throws Images.UndecodableImageException when the pixel data is corrupt or cut short
     */
    static BufferedImage decode(byte[] bytes, long maxPixels, Images.DecodeBuffers buffers)
            throws Images.UndecodableImageException {
        Ihdr ihdr = ihdr(bytes);
        if (ihdr == null
                || ihdr.bitDepth != 8
                || (ihdr.colourType != 2 && ihdr.colourType != 6)
                || ihdr.interlace != 0
                || !onlyHarmlessChunks(bytes)) {
            return null;
        }
        int w = ihdr.width;
        int h = ihdr.height;
        int factor = Images.subsampling(w, h, maxPixels);
        if (factor == 1 && (long) w * h > MAX_PIXELS) {
            return null;
        }
        int channels = ihdr.colourType == 6 ? 4 : 3;
        long strideLong = (long) w * channels;
        if (strideLong + 1 > Integer.MAX_VALUE - 8) {
            return null;
        }
        int stride = (int) strideLong;
        int outW = (int) Images.ceilDiv(w, factor);
        int outH = (int) Images.ceilDiv(h, factor);
        // Every pixel of it is written below (each kept row whole), so a reused one is fine.
        BufferedImage image =
                buffers.image(
                        outW,
                        outH,
                        channels == 4
                                ? BufferedImage.TYPE_4BYTE_ABGR
                                : BufferedImage.TYPE_3BYTE_BGR,
                        channels);
        byte[] out = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int rowBytes = stride + 1;
        long total = (long) h * rowBytes;
        byte[] staging = buffers.staging((int) Math.min(total, Math.max(rowBytes, STAGING_BYTES)));
        // Both rows start as zeros: the row above the first is zero for the filters.
        byte[] previous = buffers.previousRow(stride);
        byte[] row = buffers.row(stride);
        int pixelStep = factor * channels;
        Inflater inflater = buffers.inflater();
        try {
            IdatReader idat = new IdatReader(bytes, inflater);
            long inflated = 0;
            int pos = 0;
            int have = 0;
            for (int y = 0; y < h; y++) {
                if (have - pos < rowBytes) {
                    System.arraycopy(staging, pos, staging, 0, have - pos);
                    have -= pos;
                    pos = 0;
                    while (have < staging.length && inflated < total) {
                        int n =
                                idat.read(
                                        staging,
                                        have,
                                        (int) Math.min(staging.length - have, total - inflated));
                        if (n == 0) {
                            break;
                        }
                        have += n;
                        inflated += n;
                    }
                    if (have < rowBytes) {
                        throw new Images.UndecodableImageException(
                                "truncated or corrupt: PNG image data ends after "
                                        + inflated
                                        + " of "
                                        + total
                                        + " bytes");
                    }
                }
                int filter = staging[pos];
                System.arraycopy(staging, pos + 1, row, 0, stride);
                pos += rowBytes;
                unfilter(filter, row, previous, channels);
                if (factor == 1) {
                    writeRow(row, stride, channels, out, y * stride);
                } else if (y % factor == 0) {
                    int o = y / factor * outW * channels;
                    // PNG has R, G, B (, A); the raster has (A,) B, G, R.
                    if (channels == 4) {
                        for (int i = 0; i < stride; i += pixelStep, o += 4) {
                            out[o] = row[i + 3];
                            out[o + 1] = row[i + 2];
                            out[o + 2] = row[i + 1];
                            out[o + 3] = row[i];
                        }
                    } else {
                        for (int i = 0; i < stride; i += pixelStep, o += 3) {
                            out[o] = row[i + 2];
                            out[o + 1] = row[i + 1];
                            out[o + 2] = row[i];
                        }
                    }
                }
                byte[] swap = previous;
                previous = row;
                row = swap;
            }
        } catch (DataFormatException e) {
            throw new Images.UndecodableImageException(
                    "truncated or corrupt: PNG image data: " + e.getMessage(), e);
        } finally {
            buffers.release(inflater);
        }
        return image;
    }

    private record Ihdr(int width, int height, int bitDepth, int colourType, int interlace) {}

    private static Ihdr ihdr(byte[] b) {
        if (b == null || b.length < 33) {
            return null;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return null;
            }
        }
        if (readInt(b, 8) != 13 || !type(b, 12).equals("IHDR")) {
            return null;
        }
        int w = readInt(b, 16);
        int h = readInt(b, 20);
        int depth = b[24] & 0xff;
        int colour = b[25] & 0xff;
        boolean valid =
                w > 0
                        && h > 0
                        && b[26] == 0
                        && b[27] == 0
                        && (b[28] == 0 || b[28] == 1)
                        && switch (colour) {
                            case 0 ->
                                    depth == 1
                                            || depth == 2
                                            || depth == 4
                                            || depth == 8
                                            || depth == 16;
                            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                            case 2, 4, 6 -> depth == 8 || depth == 16;
                            default -> false;
                        };
        return valid ? new Ihdr(w, h, depth, colour, b[28]) : null;
    }

    /** Every chunk after IHDR known and harmless, the last one IEND, nothing cut short. */
    private static boolean onlyHarmlessChunks(byte[] b) {
        int at = 33;
        while (at + 12 <= b.length) {
            long length = readInt(b, at) & 0xffffffffL;
            String type = type(b, at + 4);
            if (at + 12 + length > b.length) {
                return false;
            }
            if (type.equals("IEND")) {
                return true;
            }
            if (!type.equals("IDAT") && !HARMLESS.contains(type)) {
                return false;
            }
            at += 12 + (int) length;
        }
        return false;
    }

    /**
     * One whole row into the raster at {@code o}: PNG has R, G, B (, A); the raster has (A,) B, G,
     * R. (Constant steps, so the loops compile as tightly as they did before subsampling.)
     */
    private static void writeRow(byte[] row, int stride, int channels, byte[] out, int o) {
        if (channels == 4) {
            for (int i = 0; i < stride; i += 4, o += 4) {
                out[o] = row[i + 3];
                out[o + 1] = row[i + 2];
                out[o + 2] = row[i + 1];
                out[o + 3] = row[i];
            }
        } else {
            for (int i = 0; i < stride; i += 3, o += 3) {
                out[o] = row[i + 2];
                out[o + 1] = row[i + 1];
                out[o + 2] = row[i];
            }
        }
    }

    /**
     * The inflated contents of the IDAT chunks, read in pieces: each {@link #read} inflates into
     * the caller's buffer, moving on to the next IDAT chunk when one is used up, until the stream
     * ends (or IEND comes).
     */
    private static final class IdatReader {
        private final byte[] b;
        private final Inflater inflater;
        private int at = 33;
        private boolean done;

        IdatReader(byte[] b, Inflater inflater) {
            this.b = b;
            this.inflater = inflater;
        }

        /** Inflates up to {@code len} bytes into {@code dst}; 0 once the data has ended. */
        int read(byte[] dst, int off, int len) throws DataFormatException {
            int start = off;
            while (len > 0 && !done) {
                if (inflater.needsInput() && !nextIdat()) {
                    done = true;
                    break;
                }
                int n = inflater.inflate(dst, off, len);
                off += n;
                len -= n;
                if (n == 0 && (inflater.finished() || inflater.needsDictionary())) {
                    done = true;
                }
            }
            return off - start;
        }

        /** Feeds the next IDAT chunk to the inflater; false at IEND or the end of the bytes. */
        private boolean nextIdat() {
            while (at + 12 <= b.length) {
                int length = readInt(b, at);
                String type = type(b, at + 4);
                if (type.equals("IEND")) {
                    return false;
                }
                int data = at + 8;
                at += 12 + length;
                if (type.equals("IDAT")) {
                    inflater.setInput(b, data, length);
                    return true;
                }
            }
            return false;
        }
    }

    private static void unfilter(int filter, byte[] row, byte[] previous, int bpp)
            throws Images.UndecodableImageException {
        int n = row.length;
        switch (filter) {
            case 0 -> {}
            case 1 -> {
                for (int i = bpp; i < n; i++) {
                    row[i] = (byte) (row[i] + row[i - bpp]);
                }
            }
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    row[i] = (byte) (row[i] + previous[i]);
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int left = i >= bpp ? row[i - bpp] & 0xff : 0;
                    row[i] = (byte) (row[i] + ((left + (previous[i] & 0xff)) >> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? row[i - bpp] & 0xff : 0;
                    int b = previous[i] & 0xff;
                    int c = i >= bpp ? previous[i - bpp] & 0xff : 0;
                    int p = a + b - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - b);
                    int pc = Math.abs(p - c);
                    int predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    row[i] = (byte) (row[i] + predictor);
                }
            }
            default ->
                    throw new Images.UndecodableImageException(
                            "truncated or corrupt: unknown PNG row filter type " + filter);
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24
                | (b[at + 1] & 0xff) << 16
                | (b[at + 2] & 0xff) << 8
                | (b[at + 3] & 0xff);
    }

    private static String type(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
