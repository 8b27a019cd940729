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

    private static double[][] luminance(BufferedImage original) {
        BufferedImage image = flatten(original);
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] source = new double[h][w];
        // The window the grid samples: centred on the ink's centre of mass, SPREAD standard
        // deviations of the ink wide, so a shifted, padded, resized or slightly cropped copy of
        // an icon on a plain ground lands on the same grid. Ink = darkness against white.
        double mass = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                double l =
                        0.299 * ((rgb >> 16) & 0xff)
                                + 0.587 * ((rgb >> 8) & 0xff)
                                + 0.114 * (rgb & 0xff);
                source[y][x] = l;
                double ink = 255 - l;
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
        double x0 = cx + 0.5 - side / 2;
        double y0 = cy + 0.5 - side / 2;
        double[][] luma = new double[SIZE][SIZE];
        for (int i = 0; i < SIZE; i++) {
            for (int j = 0; j < SIZE; j++) {
                double sum = 0;
                for (int s = 0; s < SUB; s++) {
                    int y = (int) Math.floor(y0 + (i + (s + 0.5) / SUB) * side / SIZE);
                    for (int t = 0; t < SUB; t++) {
                        int x = (int) Math.floor(x0 + (j + (t + 0.5) / SUB) * side / SIZE);
                        sum += x < 0 || y < 0 || x >= w || y >= h ? 255 : source[y][x];
                    }
                }
                luma[i][j] = sum / (SUB * SUB);
            }
        }
        return luma;
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
