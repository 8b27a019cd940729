package io.streamlip.platform.image;

/**
 * Recognises a container format from its first bytes (its signature), without a decoder: the
 * formats read ({@link Images#ALLOWED_FORMATS}) and a few common ones that are not, so those can be
 * refused by name.
 */
final class ImageFormats {
    private ImageFormats() {}

    /** The format's name, or null when the bytes announce nothing known. */
    static String sniff(byte[] b) {
        if (b == null || b.length < 2) {
            return null;
        }
        if (starts(b, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            return "png";
        }
        if (starts(b, 0xff, 0xd8, 0xff)) {
            return "jpeg";
        }
        if (starts(b, 'G', 'I', 'F', '8', '7', 'a') || starts(b, 'G', 'I', 'F', '8', '9', 'a')) {
            return "gif";
        }
        if (starts(b, 'B', 'M')) {
            return "bmp";
        }
        if (starts(b, 'I', 'I', '*', 0) || starts(b, 'M', 'M', 0, '*')) {
            return "tiff";
        }
        if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && at(b, 8, 'W', 'E', 'B', 'P')) {
            return "webp";
        }
        if (starts(b, 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ') || starts(b, 0xff, 0x4f, 0xff, 0x51)) {
            return "jpeg2000";
        }
        if (b.length >= 12 && at(b, 4, 'f', 't', 'y', 'p')) {
            return "heif"; // HEIC, AVIF and other ISO base media files
        }
        if (starts(b, '8', 'B', 'P', 'S')) {
            return "psd";
        }
        if (starts(b, 0, 0, 1, 0) || starts(b, 0, 0, 2, 0)) {
            return "ico";
        }
        if (wbmp(b)) {
            return "wbmp";
        }
        return null;
    }

    /**
     * WBMP type 0 has no signature: a zero type and header byte, width and height as multi-byte
     * integers, then exactly one bit per pixel, rows padded to bytes (what ImageIO's reader
     * checks).
     */
    private static boolean wbmp(byte[] b) {
        if (b[0] != 0 || b[1] != 0) {
            return false;
        }
        int at = 2;
        long[] sides = new long[2];
        for (int i = 0; i < 2; i++) {
            long value = 0;
            int read = 0;
            while (true) {
                if (at >= b.length || ++read > 4) {
                    return false;
                }
                int v = b[at++] & 0xff;
                value = value << 7 | (v & 0x7f);
                if ((v & 0x80) == 0) {
                    break;
                }
            }
            sides[i] = value;
        }
        long w = sides[0];
        long h = sides[1];
        return w > 0 && h > 0 && b.length - at == (w + 7) / 8 * h;
    }

    /**
     * Whether the JPEG's markers lead to EOI: each segment is skipped by its length; after a
     * start-of-scan, the entropy-coded data runs to the next marker that is not a stuffed zero, a
     * restart marker or fill. A marker whose length is impossible leaves the verdict to the
     * decoder.
     */
    static boolean jpegReachesEoi(byte[] b) {
        int n = b.length;
        int at = 2; // after SOI
        while (true) {
            while (at < n && b[at] != (byte) 0xFF) {
                at++; // stray bytes between segments: the decoder judges those
            }
            while (at < n && b[at] == (byte) 0xFF) {
                at++; // fill bytes
            }
            if (at >= n) {
                return false;
            }
            int marker = b[at++] & 0xff;
            if (marker == 0xD9) {
                return true;
            }
            if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || isRestart(marker)) {
                continue; // no length follows
            }
            if (at + 2 > n) {
                return false;
            }
            int length = (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
            if (length < 2) {
                return true;
            }
            at += length;
            if (at > n) {
                return false;
            }
            if (marker == 0xDA) {
                // Entropy-coded data up to the next real marker.
                while (true) {
                    while (at < n && b[at] != (byte) 0xFF) {
                        at++;
                    }
                    if (at + 1 >= n) {
                        return false;
                    }
                    int next = b[at + 1] & 0xff;
                    if (next == 0x00 || isRestart(next)) {
                        at += 2;
                    } else if (next == 0xFF) {
                        at++;
                    } else {
                        break;
                    }
                }
            }
        }
    }

    private static boolean isRestart(int marker) {
        return marker >= 0xD0 && marker <= 0xD7;
    }

    /**
     * The number of components the JPEG's frame header (SOF) announces: 1 grey, 3 YCbCr or RGB, 4
     * CMYK or YCCK; -1 when no frame header is found before the first scan.
     */
    static int jpegComponents(byte[] b) {
        int n = b.length;
        int at = 2;
        while (at + 4 <= n && (b[at] & 0xff) == 0xFF) {
            int marker = b[at + 1] & 0xff;
            if (marker == 0xFF) {
                at++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return -1;
            }
            int length = (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
            boolean frame =
                    marker >= 0xC0
                            && marker <= 0xCF
                            && marker != 0xC4
                            && marker != 0xC8
                            && marker != 0xCC;
            if (frame) {
                return at + 9 < n ? b[at + 9] & 0xff : -1;
            }
            if (length < 2) {
                return -1;
            }
            at += 2 + length;
        }
        return -1;
    }

    private static boolean starts(byte[] b, int... signature) {
        return at(b, 0, signature);
    }

    private static boolean at(byte[] b, int offset, int... signature) {
        if (b.length < offset + signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((b[offset + i] & 0xff) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
