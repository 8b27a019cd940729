package io.streamlip.filter;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * The 64-bit perceptual hash (pHash) of an image: what stays the same when an image is re-encoded,
 * resized, slightly cropped or shifted, and differs between different images.
 *
 * <p>Method (as the {@code imagehash} Python package's {@code phash}): flatten onto white (so a
 * transparent PNG and its JPEG re-encoding agree), resize to 32 x 32, take luminance, apply a 2-D
 * DCT-II, keep the 8 x 8 lowest frequencies, and set bit {@code 8 * u + v} where coefficient (u, v)
 * lies above the median of the 64. Similar images differ in few bits ({@link #distance}).
 */
public final class PerceptualHash {
    private static final int SIZE = 32;
    private static final int LOW = 8;
    // A channel below this is ink, not (JPEG-noisy) white ground.
    private static final int INK = 232;
    // Window width in standard deviations of the ink, and samples per grid cell and axis.
    private static final double SPREAD = 2.2;
    private static final int SUB = 4;
    private static final double[][] COSINES = cosines();
    // Side of the thumbnail of the second check.
    private static final int THUMB = 16;

    private PerceptualHash() {}

    /** The pHash of {@code image}. */
    public static long of(BufferedImage image) {
        double[][] luma = luminance(image);
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
        BufferedImage image = flatten(original);
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] luma = new double[h][w];
        double[][][] rgb = new double[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = image.getRGB(x, y);
                rgb[0][y][x] = (c >> 16) & 0xff;
                rgb[1][y][x] = (c >> 8) & 0xff;
                rgb[2][y][x] = c & 0xff;
                luma[y][x] = 0.299 * rgb[0][y][x] + 0.587 * rgb[1][y][x] + 0.114 * rgb[2][y][x];
            }
        }
        double[] window = window(luma, w, h);
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

    private static double[][] luminance(BufferedImage original) {
        BufferedImage image = flatten(original);
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] source = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                source[y][x] =
                        0.299 * ((rgb >> 16) & 0xff)
                                + 0.587 * ((rgb >> 8) & 0xff)
                                + 0.114 * (rgb & 0xff);
            }
        }
        return sample(source, w, h, window(source, w, h), SIZE);
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

    /** {@code channel} averaged over a {@code size} x {@code size} grid on the window. */
    private static double[][] sample(double[][] channel, int w, int h, double[] window, int size) {
        double x0 = window[0];
        double y0 = window[1];
        double side = window[2];
        double[][] grid = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                double sum = 0;
                for (int s = 0; s < SUB; s++) {
                    int y = (int) Math.floor(y0 + (i + (s + 0.5) / SUB) * side / size);
                    for (int t = 0; t < SUB; t++) {
                        int x = (int) Math.floor(x0 + (j + (t + 0.5) / SUB) * side / size);
                        sum += x < 0 || y < 0 || x >= w || y >= h ? 255 : channel[y][x];
                    }
                }
                grid[i][j] = sum / (SUB * SUB);
            }
        }
        return grid;
    }

    private static BufferedImage flatten(BufferedImage image) {
        BufferedImage flat =
                new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return flat;
    }

    private static BufferedImage half(BufferedImage image) {
        int w = image.getWidth() / 2;
        int h = image.getHeight() / 2;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
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
