package io.streamlip.filter.curate;

import io.streamlip.platform.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * {@link PerceptualHash} as it was at main 95f62b7 (double planes per channel), kept verbatim as
 * the reference the faster implementation must equal bit for bit: curation thresholds were tuned on
 * these hashes and thumbnails, and state written by older versions holds them.
 *
 * <p>The 64-bit perceptual hash (pHash) of an image: what stays the same when an image is
 * re-encoded, resized, slightly cropped or shifted, and differs between different images.
 *
 * <p>Method (as the {@code imagehash} Python package's {@code phash}): flatten onto white (so a
 * transparent PNG and its JPEG re-encoding agree), resize to 32 x 32, take luminance, apply a 2-D
 * DCT-II, keep the 8 x 8 lowest frequencies, and set bit {@code 8 * u + v} where coefficient (u, v)
 * lies above the median of the 64. Similar images differ in few bits ({@link #distance}).
 */
final class PerceptualHashReference {
    private static final int SIZE = 32;
    private static final int LOW = 8;
    // A channel below this is ink, not (JPEG-noisy) white ground.
    private static final int INK = 232;
    // Window width in standard deviations of the ink, and samples per grid cell and axis.
    private static final double SPREAD = 2.2;
    private static final int SUB = 4;
    private static final double[][] COSINES = cosines();
    private static final int[][] OVER_WHITE = overWhite();
    // Side of the thumbnail of the second check.
    private static final int THUMB = 16;

    private PerceptualHashReference() {}

    /**
     * The hash and the thumbnail of one image, computed from one read of its pixels: the composite
     * onto white, the luminance and the ink window are shared, which costs less than half of {@link
     * #of} and {@link #thumbnail} called one after the other (same results, bit for bit).
     */
    public record Fingerprint(long phash, byte[] thumbnail) {}

    /** The pHash of {@code image}. */
    public static long of(BufferedImage image) {
        return Pixels.of(image).phash();
    }

    /** The {@link #of pHash} and {@link #thumbnail} of {@code image} together. */
    public static Fingerprint fingerprint(BufferedImage image) {
        Pixels pixels = Pixels.of(image);
        return new Fingerprint(pixels.phash(), pixels.thumbnail());
    }

    /** The pHash of a luminance grid of {@code SIZE x SIZE}. */
    private static long hashOf(double[][] luma) {
        double[][] rows = new double[SIZE][LOW];
        // Separable DCT: first along x (keeping LOW frequencies), then along y.
        for (int y = 0; y < SIZE; y++) {
            for (int u = 0; u < LOW; u++) {
                double sum = 0;
                for (int x = 0; x < SIZE; x++) {
                    sum += luma[y][x] * COSINES[u][x];
                }
                rows[y][u] = sum;
            }
        }
        double[] coefficients = new double[LOW * LOW];
        for (int v = 0; v < LOW; v++) {
            for (int u = 0; u < LOW; u++) {
                double sum = 0;
                for (int y = 0; y < SIZE; y++) {
                    sum += rows[y][u] * COSINES[v][y];
                }
                coefficients[v * LOW + u] = sum;
            }
        }
        double[] sorted = coefficients.clone();
        java.util.Arrays.sort(sorted);
        double median = (sorted[31] + sorted[32]) / 2;
        long hash = 0;
        for (int i = 0; i < coefficients.length; i++) {
            if (coefficients[i] > median) {
                hash |= 1L << i;
            }
        }
        return hash;
    }

    /** Number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /**
     * The image flattened onto white and cut to the bounding box of what is not (nearly) white, so
     * that a shifted, padded or slightly cropped copy of an icon on a plain ground hashes alike.
     */
    static BufferedImage trimmed(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage flat = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.drawImage(image, 0, 0, null);
        g.dispose();
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = flat.getRGB(x, y);
                boolean ink =
                        ((rgb >> 16) & 0xff) < INK
                                || ((rgb >> 8) & 0xff) < INK
                                || (rgb & 0xff) < INK;
                if (ink) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        if (maxX < 0 || (maxX - minX + 1) * 4 < w && (maxY - minY + 1) * 4 < h) {
            // Blank, or the ink is a speck: hash the whole image.
            return flat;
        }
        return flat.getSubimage(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /**
     * A 16 x 16 colour thumbnail (768 bytes, R, G, B per cell, row by row) of the same ink-centred
     * window the hash samples, so that a shifted, resized or re-encoded copy gives nearly the same
     * bytes: the second, stronger check after a hash match ({@link #thumbnailDistance}). Colour is
     * kept because different emoji often share a shape (hearts, circles, squares) and differ only
     * in colour, which a luminance hash cannot see.
     */
    public static byte[] thumbnail(BufferedImage original) {
        return Pixels.of(original).thumbnail();
    }

    /**
     * Mean absolute difference of two {@link #thumbnail}s, in [0, 1]: below 0.01 for most
     * re-encoded, resized, cropped or shifted copies of an emoji; another vendor's drawing of the
     * same emoji lies at about 0.01 to 0.1, another emoji whose hash collides further.
     */
    public static double thumbnailDistance(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "thumbnails of different sizes: " + a.length + " and " + b.length);
        }
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / (255.0 * a.length);
    }

    /**
     * Whether {@code thumbnailDistance(a, b) <= maxDistance}, exactly (the same sum, the same
     * division), but giving up as soon as the running sum already exceeds it: the distance only
     * grows, and most candidates a near-duplicate bucket compares are far (on repeated shapes, the
     * band stage's largest cost was comparing whole thumbnails of such candidates).
     */
    public static boolean thumbnailWithin(byte[] a, byte[] b, double maxDistance) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "thumbnails of different sizes: " + a.length + " and " + b.length);
        }
        double scale = 255.0 * a.length;
        long sum = 0;
        int i = 0;
        while (i < a.length) {
            // One 16-cell row (48 bytes) at a time, then the test thumbnailDistance ends with.
            int end = Math.min(a.length, i + 48);
            for (; i < end; i++) {
                sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
            }
            if (sum / scale > maxDistance) {
                return false;
            }
        }
        return true;
    }

    /**
     * An image composited onto white, as luminance and R, G, B planes, with its ink window: what
     * the hash and the thumbnail both sample. Read once from the raster in bulk ({@link
     * Images#argb}) instead of drawing a copy onto white and calling {@code getRGB} per pixel.
     */
    private record Pixels(int w, int h, double[][] luma, double[][][] rgb, double[] window) {
        static Pixels of(BufferedImage image) {
            int w = image.getWidth();
            int h = image.getHeight();
            int[] argb = Images.argb(image);
            double[][] luma = new double[h][w];
            double[][][] rgb = new double[3][h][w];
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i++) {
                    int p = argb[i];
                    int a = p >>> 24;
                    int r = OVER_WHITE[a][(p >> 16) & 0xff];
                    int g = OVER_WHITE[a][(p >> 8) & 0xff];
                    int b = OVER_WHITE[a][p & 0xff];
                    rgb[0][y][x] = r;
                    rgb[1][y][x] = g;
                    rgb[2][y][x] = b;
                    luma[y][x] = 0.299 * r + 0.587 * g + 0.114 * b;
                }
            }
            return new Pixels(w, h, luma, rgb, PerceptualHashReference.window(luma, w, h));
        }

        long phash() {
            return hashOf(sample(luma, w, h, window, SIZE));
        }

        byte[] thumbnail() {
            byte[] out = new byte[THUMB * THUMB * 3];
            for (int channel = 0; channel < 3; channel++) {
                double[][] cells = sample(rgb[channel], w, h, window, THUMB);
                for (int i = 0; i < THUMB; i++) {
                    for (int j = 0; j < THUMB; j++) {
                        out[(i * THUMB + j) * 3 + channel] = (byte) Math.round(cells[i][j]);
                    }
                }
            }
            return out;
        }
    }

    /**
     * {@code OVER_WHITE[alpha][channel]}: a non-premultiplied channel value composited over white,
     * exactly as Java2D's {@code drawImage} onto an opaque white image rounds it (the table is read
     * from such a drawing), so hashes stay what they were when the image was flattened by drawing
     * it.
     */
    private static int[][] overWhite() {
        BufferedImage source = new BufferedImage(256, 256, BufferedImage.TYPE_INT_ARGB);
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                source.setRGB(c, a, a << 24 | c << 16 | c << 8 | c);
            }
        }
        BufferedImage flat = flatten(source);
        int[][] table = new int[256][256];
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                table[a][c] = flat.getRGB(c, a) & 0xff;
            }
        }
        return table;
    }

    /**
     * The window the grid samples, {x0, y0, side}: centred on the ink's centre of mass, SPREAD
     * standard deviations of the ink wide, so a shifted, padded, resized or slightly cropped copy
     * of an icon on a plain ground lands on the same grid. Ink = darkness against white.
     */
    private static double[] window(double[][] source, int w, int h) {
        double mass = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ink = 255 - source[y][x];
                mass += ink;
                sx += ink * x;
                sy += ink * y;
            }
        }
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        double side = Math.max(w, h);
        if (mass > 1e-3 * 255 * w * h) {
            cx = sx / mass;
            cy = sy / mass;
            double spread = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double ink = 255 - source[y][x];
                    spread += ink * ((x - cx) * (x - cx) + (y - cy) * (y - cy));
                }
            }
            side = 2 * SPREAD * Math.sqrt(spread / mass);
        }
        return new double[] {cx + 0.5 - side / 2, cy + 0.5 - side / 2, side};
    }

    /**
     * {@code channel} averaged over a {@code size} x {@code size} grid on the window, {@code SUB x
     * SUB} samples a cell; a sample outside the image reads white.
     */
    private static double[][] sample(double[][] channel, int w, int h, double[] window, int size) {
        int[] xs = sampleIndices(window[0], window[2], size, w);
        int[] ys = sampleIndices(window[1], window[2], size, h);
        double[][] grid = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                double sum = 0;
                for (int s = 0; s < SUB; s++) {
                    int y = ys[i * SUB + s];
                    double[] row = y < 0 ? null : channel[y];
                    for (int t = 0; t < SUB; t++) {
                        int x = xs[j * SUB + t];
                        sum += row == null || x < 0 ? 255 : row[x];
                    }
                }
                grid[i][j] = sum / (SUB * SUB);
            }
        }
        return grid;
    }

    /**
     * The pixel index of every sample along one axis ({@code size * SUB} of them, cell by cell), -1
     * where it falls outside {@code [0, limit)}: the same for every row, so computed once.
     */
    private static int[] sampleIndices(double origin, double side, int size, int limit) {
        int[] at = new int[size * SUB];
        for (int cell = 0; cell < size; cell++) {
            for (int s = 0; s < SUB; s++) {
                int v = (int) Math.floor(origin + (cell + (s + 0.5) / SUB) * side / size);
                at[cell * SUB + s] = v < 0 || v >= limit ? -1 : v;
            }
        }
        return at;
    }

    /** The image drawn onto white with Java2D: the reference the table composite must equal. */
    static BufferedImage flatten(BufferedImage image) {
        BufferedImage flat =
                new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return flat;
    }

    private static double[][] cosines() {
        double[][] c = new double[LOW][SIZE];
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SIZE; x++) {
                c[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2 * SIZE));
            }
        }
        return c;
    }
}
