package io.streamlip.platform.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * The EXIF orientation of a JPEG (tag 0x0112 of its first IFD, values 1 to 8), and turning a
 * decoded image upright by it: cameras store the sensor's pixels and say how to turn them, and web
 * photos keep that tag. ImageIO ignores it; OpenCV's imdecode applies it, so the ImageIO path
 * applies it here to give the same picture.
 */
final class ExifOrientation {
    /** As stored: no turn. */
    static final int NORMAL = 1;

    private ExifOrientation() {}

    /**
     * The orientation the JPEG's EXIF segment announces, {@link #NORMAL} when it has none or it is
     * unreadable or out of range. Reads only the segments before the first scan.
     */
    static int of(byte[] jpeg) {
        int n = jpeg.length;
        int at = 2; // after SOI
        while (at + 4 <= n && (jpeg[at] & 0xff) == 0xFF) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                return NORMAL; // scan or end: the APP segments are behind us
            }
            int length = u16(jpeg, at + 2, true);
            if (length < 2) {
                return NORMAL;
            }
            int body = at + 4;
            if (marker == 0xE1
                    && body + 6 <= n
                    && jpeg[body] == 'E'
                    && jpeg[body + 1] == 'x'
                    && jpeg[body + 2] == 'i'
                    && jpeg[body + 3] == 'f'
                    && jpeg[body + 4] == 0
                    && jpeg[body + 5] == 0) {
                return fromTiff(jpeg, body + 6, Math.min(n, at + 2 + length));
            }
            at += 2 + length;
        }
        return NORMAL;
    }

    /** The orientation tag of the TIFF structure in {@code [tiff, end)}. */
    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return NORMAL;
        }
        boolean bigEndian;
        if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            bigEndian = true;
        } else if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            bigEndian = false;
        } else {
            return NORMAL;
        }
        long ifd = tiff + u32(b, tiff + 4, bigEndian);
        if (ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) ifd, bigEndian);
        for (int i = 0; i < entries; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > end) {
                return NORMAL;
            }
            int e = (int) entry;
            if (u16(b, e, bigEndian) == 0x0112 && u16(b, e + 2, bigEndian) == 3) {
                int value = u16(b, e + 8, bigEndian); // a SHORT sits first in the value field
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /** Whether {@code orientation} swaps width and height (5 to 8: a quarter turn). */
    static boolean transposes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * {@code image} turned upright by {@code orientation}: itself for {@link #NORMAL}, else a new
     * image of packed ints (ARGB when the source has alpha, else RGB).
     */
    static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation <= NORMAL || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] source = Images.argb(image);
        boolean swap = transposes(orientation);
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        BufferedImage out =
                new BufferedImage(
                        outW,
                        outH,
                        image.getColorModel().hasAlpha()
                                ? BufferedImage.TYPE_INT_ARGB
                                : BufferedImage.TYPE_INT_RGB);
        int[] target = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int y = 0, i = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++, i++) {
                // Where output pixel (x, y) comes from in the stored image.
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> { // 8
                        sx = w - 1 - y;
                        sy = x;
                    }
                }
                target[i] = source[sy * w + sx];
            }
        }
        return out;
    }

    private static int u16(byte[] b, int at, boolean bigEndian) {
        int first = b[at] & 0xff;
        int second = b[at + 1] & 0xff;
        return bigEndian ? first << 8 | second : second << 8 | first;
    }

    private static long u32(byte[] b, int at, boolean bigEndian) {
        long high = u16(b, bigEndian ? at : at + 2, bigEndian);
        long low = u16(b, bigEndian ? at + 2 : at, bigEndian);
        return high << 16 | low;
    }
}
