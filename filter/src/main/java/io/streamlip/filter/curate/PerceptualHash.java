package io.streamlip.filter.curate;

import io.streamlip.platform.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
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
    private static final int LOW = 8; // hashOf keeps LOW sums in eight locals
    // A channel below this is ink, not (JPEG-noisy) white ground.
    private static final int INK = 232;
    // Window width in standard deviations of the ink, and samples per grid cell and axis.
    private static final double SPREAD = 2.2;
    private static final int SUB = 4;
    // OFFSETS[s] = (s + 0.5) / SUB: where sample s lies in its cell, in cells.
    private static final double[] OFFSETS =
            java.util.stream.IntStream.range(0, SUB).mapToDouble(s -> (s + 0.5) / SUB).toArray();
    private static final double[][] COSINES = cosines();
    // COSINES_BY_X[x * LOW + u] = COSINES[u][x].
    private static final double[] COSINES_BY_X = byX(COSINES);
    private static final int[][] OVER_WHITE = overWhite();
    // Side of the thumbnail of the second check.
    private static final int THUMB = 16;

    /**
     * The shortest side an image must keep when decoded for {@link #fingerprint}: twice the hash's
     * grid of {@value #SIZE} cells a side, whose cells each average {@value #SUB} x {@value #SUB}
     * samples (the thumbnail's {@value #THUMB} cells are coarser). A JPEG decoded at 1/2 to 1/8
     * scale in the DCT averages blocks as the cells do; twice the grid keeps {@code bench
     * curation}'s near-duplicate and evaluation-set figures as they were with full decodes
     * (bench/results/decode-at-scale-2026-12-06.md).
     */
    public static final int MIN_DECODED_SIDE = 2 * SIZE;

    private PerceptualHash() {}

    /**
     * The hash and the thumbnail of one image, computed from one read of its pixels: the composite
     * onto white, the luminance and the ink window are shared, which costs less than half of {@link
     * #of} and {@link #thumbnail} called one after the other (same results, bit for bit).
     */
    public record Fingerprint(long phash, byte[] thumbnail) {}

    /** The pHash of {@code image}. */
    public static long of(BufferedImage image) {
        return new Scratch().read(image).phash();
    }

    /** The {@link #of pHash} and {@link #thumbnail} of {@code image} together. */
    public static Fingerprint fingerprint(BufferedImage image) {
        return fingerprint(image, new Scratch());
    }

    /**
     * {@link #fingerprint(BufferedImage)} with the working memory of {@code scratch}, which a
     * caller that fingerprints many images on one thread keeps and passes again (same results).
     */
    public static Fingerprint fingerprint(BufferedImage image, Scratch scratch) {
        Scratch pixels = scratch.read(image);
        return new Fingerprint(pixels.phash(), pixels.thumbnail());
    }

    /** The pHash of a luminance grid of {@code SIZE x SIZE}. */
    private static long hashOf(double[] luma) {
        // Separable DCT: first along x (keeping LOW frequencies), then along y. Each coefficient
        // is the same sum as ever, term by term in the same order (x, then y, rising); the loops
        // run over the LOW independent sums innermost instead of one sum at a time, so the adds
        // no longer wait for each other.
        double[] rows = new double[SIZE * LOW];
        double[] c = COSINES_BY_X;
        for (int y = 0; y < SIZE; y++) {
            // The LOW = 8 sums of a row in locals (registers), not in the array.
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double s4 = 0;
            double s5 = 0;
            double s6 = 0;
            double s7 = 0;
            for (int x = 0; x < SIZE; x++) {
                double value = luma[y * SIZE + x];
                int at = x * LOW;
                s0 += value * c[at];
                s1 += value * c[at + 1];
                s2 += value * c[at + 2];
                s3 += value * c[at + 3];
                s4 += value * c[at + 4];
                s5 += value * c[at + 5];
                s6 += value * c[at + 6];
                s7 += value * c[at + 7];
            }
            int at = y * LOW;
            rows[at] = s0;
            rows[at + 1] = s1;
            rows[at + 2] = s2;
            rows[at + 3] = s3;
            rows[at + 4] = s4;
            rows[at + 5] = s5;
            rows[at + 6] = s6;
            rows[at + 7] = s7;
        }
        double[] coefficients = new double[LOW * LOW];
        for (int y = 0; y < SIZE; y++) {
            for (int v = 0; v < LOW; v++) {
                double cosine = COSINES[v][y];
                for (int u = 0; u < LOW; u++) {
                    coefficients[v * LOW + u] += rows[y * LOW + u] * cosine;
                }
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
        return new Scratch().read(original).thumbnail();
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
     * Working memory for fingerprints, holding the image last read: its pixels composited onto
     * white, their luminance, and the ink window that the hash and the thumbnail both sample. Not
     * thread-safe: keep one per thread (e.g. per operator instance) and pass it to {@link
     * #fingerprint(BufferedImage, Scratch)}; its buffers grow to the largest image read and are
     * reused after that.
     *
     * <p>Every floating-point value is computed with the operations, and summed in the order, of
     * the first version (which held a double plane per channel and luminance, four per image), so
     * hashes and thumbnails are the same bit for bit; what changed is what is kept and how often it
     * is read: one pass over the pixels composites them, computes their luminance and the ink's
     * mass and centroid; a second reads the luminance for the ink's spread; the grids read only
     * their samples, the thumbnail's three channels from one packed pixel, in integers (sums of at
     * most 16 bytes, which the doubles held exactly).
     */
    public static final class Scratch {
        /**
         * Buffers larger than this many pixels (12 bytes each, 3 MB here) are given up at the next
         * smaller image, so a scratch does not hold the memory of the largest image it ever saw.
         */
        private static final int MAX_KEPT_PIXELS = 512 * 512;

        /** Pixels composited onto white as {@code 0xRRGGBB}, row-major ({@code w} a row). */
        private int[] rgb = new int[0];

        /** Luminance of {@link #rgb}, same layout. */
        private double[] luma = new double[0];

        private final double[] cellSums = new double[SIZE];
        private final double[] grid = new double[SIZE * SIZE];
        private final int[] red = new int[THUMB];
        private final int[] green = new int[THUMB];
        private final int[] blue = new int[THUMB];
        private int w;
        private int h;

        /** The window the grids sample: left, top, side (see {@link #read}). */
        private double x0;

        private double y0;
        private double side;

        /** Empty; buffers are allocated by the first image read. */
        public Scratch() {}

        /**
         * Reads {@code image} into this scratch and places the window the grid samples: centred on
         * the ink's centre of mass, SPREAD standard deviations of the ink wide, so a shifted,
         * padded, resized or slightly cropped copy of an icon on a plain ground lands on the same
         * grid. Ink = darkness against white.
         */
        Scratch read(BufferedImage image) {
            w = image.getWidth();
            h = image.getHeight();
            int n = w * h;
            if (rgb.length < n || rgb.length > MAX_KEPT_PIXELS && n <= MAX_KEPT_PIXELS) {
                // Grows to the image; shrinks back after an outsized one.
                rgb = new int[n];
                luma = new double[n];
            }
            int[] pixels = Images.argb(image, rgb);
            double mass = 0;
            double sx = 0;
            double sy = 0;
            for (int y = 0, i = 0; y < h; y++) {
                for (int x = 0; x < w; x++, i++) {
                    int p = pixels[i];
                    int[] over = OVER_WHITE[p >>> 24];
                    int r = over[(p >> 16) & 0xff];
                    int g = over[(p >> 8) & 0xff];
                    int b = over[p & 0xff];
                    rgb[i] = r << 16 | g << 8 | b;
                    double l = 0.299 * r + 0.587 * g + 0.114 * b;
                    luma[i] = l;
                    double ink = 255 - l;
                    mass += ink;
                    sx += ink * x;
                    sy += ink * y;
                }
            }
            double cx = (w - 1) / 2.0;
            double cy = (h - 1) / 2.0;
            double width = Math.max(w, h);
            if (mass > 1e-3 * 255 * w * h) {
                cx = sx / mass;
                cy = sy / mass;
                double spread = 0;
                for (int y = 0, i = 0; y < h; y++) {
                    double dy2 = (y - cy) * (y - cy);
                    for (int x = 0; x < w; x++, i++) {
                        double ink = 255 - luma[i];
                        spread += ink * ((x - cx) * (x - cx) + dy2);
                    }
                }
                width = 2 * SPREAD * Math.sqrt(spread / mass);
            }
            x0 = cx + 0.5 - width / 2;
            y0 = cy + 0.5 - width / 2;
            side = width;
            return this;
        }

        /**
         * The pHash: luminance averaged over a SIZE x SIZE grid on the window, SUB x SUB samples a
         * cell (a sample outside the image reads white), then {@link #hashOf}. A cell's 16 samples
         * are summed row by row, left to right, as the first version did: the sum of doubles
         * depends on the order.
         */
        long phash() {
            int[] xs = sampleIndices(x0, side, SIZE, w);
            int[] ys = sampleIndices(y0, side, SIZE, h);
            for (int i = 0; i < SIZE; i++) {
                java.util.Arrays.fill(cellSums, 0);
                for (int s = 0; s < SUB; s++) {
                    int y = ys[i * SUB + s];
                    int base = y * w;
                    for (int j = 0; j < SIZE; j++) {
                        double sum = cellSums[j];
                        for (int t = 0; t < SUB; t++) {
                            int x = xs[j * SUB + t];
                            sum += y < 0 || x < 0 ? 255 : luma[base + x];
                        }
                        cellSums[j] = sum;
                    }
                }
                for (int j = 0; j < SIZE; j++) {
                    grid[i * SIZE + j] = cellSums[j] / (SUB * SUB);
                }
            }
            return hashOf(grid);
        }

        /**
         * The {@link PerceptualHash#thumbnail}: R, G, B averaged over a THUMB x THUMB grid on the
         * same window, rounded half up. Sums of 16 bytes are exact in integers as they were in
         * doubles, and {@code Math.round(sum / 16.0)} of such a sum is {@code (sum + 8) / 16}.
         */
        byte[] thumbnail() {
            int[] xs = sampleIndices(x0, side, THUMB, w);
            int[] ys = sampleIndices(y0, side, THUMB, h);
            int samples = SUB * SUB;
            byte[] out = new byte[THUMB * THUMB * 3];
            for (int i = 0; i < THUMB; i++) {
                java.util.Arrays.fill(red, 0);
                java.util.Arrays.fill(green, 0);
                java.util.Arrays.fill(blue, 0);
                for (int s = 0; s < SUB; s++) {
                    int y = ys[i * SUB + s];
                    int base = y * w;
                    for (int j = 0; j < THUMB; j++) {
                        int r = 0;
                        int g = 0;
                        int b = 0;
                        for (int t = 0; t < SUB; t++) {
                            int x = xs[j * SUB + t];
                            int p = y < 0 || x < 0 ? 0xffffff : rgb[base + x];
                            r += (p >> 16) & 0xff;
                            g += (p >> 8) & 0xff;
                            b += p & 0xff;
                        }
                        red[j] += r;
                        green[j] += g;
                        blue[j] += b;
                    }
                }
                for (int j = 0; j < THUMB; j++) {
                    int at = (i * THUMB + j) * 3;
                    out[at] = (byte) ((red[j] + samples / 2) / samples);
                    out[at + 1] = (byte) ((green[j] + samples / 2) / samples);
                    out[at + 2] = (byte) ((blue[j] + samples / 2) / samples);
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
     * The pixel index of every sample along one axis ({@code size * SUB} of them, cell by cell), -1
     * where it falls outside {@code [0, limit)}: the same for every row, so computed once.
     */
    private static int[] sampleIndices(double origin, double side, int size, int limit) {
        int[] at = new int[size * SUB];
        for (int cell = 0; cell < size; cell++) {
            for (int s = 0; s < SUB; s++) {
                int v = (int) Math.floor(origin + (cell + OFFSETS[s]) * side / size);
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

    private static double[] byX(double[][] cosines) {
        double[] t = new double[LOW * SIZE];
        for (int u = 0; u < LOW; u++) {
            for (int x = 0; x < SIZE; x++) {
                t[x * LOW + u] = cosines[u][x];
            }
        }
        return t;
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
