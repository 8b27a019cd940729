package io.streamlip.tokenize;

import io.streamlip.platform.image.Images;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings any decoded image to the training layout: RGB with alpha composited onto white, resized to
 * {@code size x size} (aspect ratio not kept, as in SigLIP's resize-only preprocessing), as
 * row-major uint8 {@code H x W x 3} bytes.
 *
 * <p>Resizing is a separable triangle (bilinear) filter whose support widens with the downscale
 * factor, the way PIL's antialiased resize works, so small training sizes do not alias.
 *
 * <p>{@link #process} decodes at most {@code maxDecodedPixels} pixels ({@link Images#decode(byte[],
 * long)}: a larger image is decoded subsampled first), so one call's memory is at most that many
 * pixels times about 20 bytes (the raster, the ARGB copy and three float planes); a JPEG larger
 * than needed is decoded at a reduced DCT scale ({@link #decode}).
 */
public final class ImagePreprocessor implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Resamplers for this many distinct input sides at most (web images vary; crops do not). */
    private static final int MAX_CACHED_RESAMPLERS = 64;

    /**
     * Images of at most this many pixels are converted in buffers kept per thread (about 16 bytes a
     * pixel, 4 MB at this size); larger ones, rare on the web, in buffers of their own, so a thread
     * does not hold the memory of the largest image it ever saw.
     */
    private static final int MAX_BUFFERED_PIXELS = 512 * 512;

    /** {@code ALPHA[a] = a / 255f}: the same float as the division, without one per pixel. */
    private static final float[] ALPHA = new float[256];

    /** {@code WHITE[a] = 255f * (1 - ALPHA[a])}: how much of the white ground shows through. */
    private static final float[] WHITE = new float[256];

    static {
        for (int a = 0; a < 256; a++) {
            ALPHA[a] = a / 255f;
            WHITE[a] = 255f * (1 - ALPHA[a]);
        }
    }

    private final int size;
    private final long maxDecodedPixels;
    private final boolean reducedDecode;

    /** Resampler weights by input side: the same for every image of that side. */
    private transient volatile Map<Integer, Resampler> resamplers;

    /**
     * Working arrays per thread. A ThreadLocal, not plain fields or an argument: {@link #toRgb}
     * keeps its signature and its thread safety for the callers that hold a preprocessor
     * (ExampleBuilder, ExampleDecoder, the pair scorer, EvalSet), any of which may be reached from
     * several threads. Fresh arrays per image cost a noticeable share of a small image's time
     * (bench/results/datapath-2026-11-27.md section 9).
     */
    private transient volatile ThreadLocal<Buffers> buffers;

    /** Decoding at most {@link Images#DEFAULT_MAX_DECODED_PIXELS} pixels. */
    public ImagePreprocessor(int size) {
        this(size, Images.DEFAULT_MAX_DECODED_PIXELS);
    }

    /**
     * @param size side of the square output in pixels (at least 4)
     * @param maxDecodedPixels the most pixels {@link #process} decodes (at least {@code size x
     *     size}): a larger image is decoded subsampled to at most this many
     */
    public ImagePreprocessor(int size, long maxDecodedPixels) {
        this(size, maxDecodedPixels, true);
    }

    private ImagePreprocessor(int size, long maxDecodedPixels, boolean reducedDecode) {
        if (size < 4) {
            throw new IllegalArgumentException("size must be at least 4, got " + size);
        }
        if (maxDecodedPixels < (long) size * size) {
            throw new IllegalArgumentException(
                    "maxDecodedPixels must be at least size x size = "
                            + (long) size * size
                            + ", got "
                            + maxDecodedPixels);
        }
        this.size = size;
        this.maxDecodedPixels = maxDecodedPixels;
        this.reducedDecode = reducedDecode;
    }

    /**
     * This preprocessor decoding every image at full size (bounded by {@link #maxDecodedPixels()})
     * instead of at the smallest JPEG scale that still covers {@link #size()}: the reference the
     * benchmarks compare with.
     */
    public ImagePreprocessor withFullDecode() {
        return new ImagePreprocessor(size, maxDecodedPixels, false);
    }

    public int size() {
        return size;
    }

    /** The most pixels {@link #process} decodes. */
    public long maxDecodedPixels() {
        return maxDecodedPixels;
    }

    /**
     * Decodes {@code encoded}, subsampled when it has more than {@link #maxDecodedPixels()} pixels,
     * and converts it; see {@link #decode} and {@link #toRgb(BufferedImage)}.
     */
    public byte[] process(byte[] encoded) throws Images.UndecodableImageException {
        // The image is converted at once and dropped: decoded into a reused one where possible.
        return toRgb(decode(encoded, buffers().get().transientDecode));
    }

    /**
     * Decodes {@code encoded} once, as small as the resize allows: a JPEG at the smallest DCT scale
     * (1/2, 1/4, 1/8) whose sides both stay at least {@link #size()} ({@link
     * Images#decodeAtLeast}), which the resize then brings to {@code size} as from the full image
     * (the DCT scale averages blocks, as the resize's filter does); EXIF orientation applied.
     */
    public BufferedImage decode(byte[] encoded) throws Images.UndecodableImageException {
        return decode(encoded, buffers().get().decode);
    }

    private BufferedImage decode(byte[] encoded, Images.DecodeBuffers with)
            throws Images.UndecodableImageException {
        return Images.decodeAtLeast(
                        encoded, maxDecodedPixels, reducedDecode ? size : Integer.MAX_VALUE, with)
                .image();
    }

    /**
     * {@code size * size * 3} bytes, row-major, RGB.
     *
     * <p>Each output value is the same float sum, term for term and in the same order, as the first
     * version's (one channel plane at a time: every row resampled horizontally, then every column
     * vertically), so the bytes are the same; the loops are arranged so that the innermost one runs
     * over contiguous independent sums, which the JIT turns into vector instructions: the image is
     * composited into planes stored column by column, the horizontal pass accumulates a whole
     * column of rows at once, and the vertical pass a whole output row at once.
     */
    public byte[] toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Buffers b = (long) w * h <= MAX_BUFFERED_PIXELS ? buffers().get() : new Buffers();
        // Planar float RGB composited onto white, transposed: plane c, column x, row y at
        // c * plane + x * stride + y. The stride is one more than the height: with a column a
        // power of two long, the writes of one image row would all fall into a few cache sets.
        int stride = h + 1;
        int plane = w * stride;
        int[] argb = b.argb = Images.argb(image, b.argb);
        float[] planes = b.planes = atLeast(b.planes, 3 * plane);
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i++) {
                int p = argb[i];
                int alpha = p >>> 24;
                float a = ALPHA[alpha];
                float white = WHITE[alpha];
                int at = x * stride + y;
                planes[at] = ((p >>> 16) & 0xff) * a + white;
                planes[plane + at] = ((p >>> 8) & 0xff) * a + white;
                planes[2 * plane + at] = (p & 0xff) * a + white;
            }
        }
        Resampler horizontal = resampler(w);
        Resampler vertical = resampler(h);
        byte[] out = new byte[size * size * 3];
        // Every element of these is written before it is read.
        float[] column = b.column = atLeast(b.column, h);
        float[] rows = b.rows = atLeast(b.rows, h * size);
        float[] outRow = b.outRow = atLeast(b.outRow, size);
        for (int c = 0; c < 3; c++) {
            int src = c * plane;
            // rows[y * size + o] = sum over k of weight k times pixel (start + k, y), k rising.
            for (int o = 0; o < size; o++) {
                java.util.Arrays.fill(column, 0, h, 0f);
                float[] weights = horizontal.weights[o];
                int first = src + horizontal.start[o] * stride;
                for (int k = 0; k < weights.length; k++) {
                    float weight = weights[k];
                    int base = first + k * stride;
                    for (int y = 0; y < h; y++) {
                        column[y] += weight * planes[base + y];
                    }
                }
                for (int y = 0; y < h; y++) {
                    rows[y * size + o] = column[y];
                }
            }
            // Output row y: sum over k of weight k times row (start + k), k rising.
            for (int y = 0; y < size; y++) {
                java.util.Arrays.fill(outRow, 0, size, 0f);
                float[] weights = vertical.weights[y];
                int first = vertical.start[y] * size;
                for (int k = 0; k < weights.length; k++) {
                    float weight = weights[k];
                    int base = first + k * size;
                    for (int x = 0; x < size; x++) {
                        outRow[x] += weight * rows[base + x];
                    }
                }
                for (int x = 0; x < size; x++) {
                    int v = Math.round(outRow[x]);
                    out[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return out;
    }

    private static float[] atLeast(float[] array, int length) {
        return array.length >= length ? array : new float[length];
    }

    private ThreadLocal<Buffers> buffers() {
        ThreadLocal<Buffers> local = buffers;
        if (local == null) {
            local = ThreadLocal.withInitial(Buffers::new);
            buffers = local; // a race only builds a second one
        }
        return local;
    }

    /** Working arrays, grown to the largest image converted in them. */
    private static final class Buffers {
        final Images.DecodeBuffers decode = new Images.DecodeBuffers();
        final Images.DecodeBuffers transientDecode = Images.DecodeBuffers.reusingImages();
        int[] argb = new int[0];
        float[] planes = new float[0];
        float[] column = new float[0];
        float[] rows = new float[0];
        float[] outRow = new float[0];
    }

    private Resampler resampler(int in) {
        Map<Integer, Resampler> cache = resamplers;
        if (cache == null) {
            cache = new ConcurrentHashMap<>();
            resamplers = cache; // a race only builds a second cache
        }
        Resampler r = cache.get(in);
        if (r == null) {
            r = new Resampler(in, size);
            if (cache.size() < MAX_CACHED_RESAMPLERS) {
                cache.put(in, r);
            }
        }
        return r;
    }

    /** Precomputed weights of a 1-D triangle filter from {@code in} to {@code out} samples. */
    static final class Resampler {
        final int out;
        final int[] start;
        final float[][] weights;

        Resampler(int in, int out) {
            this.out = out;
            this.start = new int[out];
            this.weights = new float[out][];
            double scale = (double) in / out;
            double support = Math.max(1.0, scale); // triangle of radius 1, widened for downscaling
            for (int o = 0; o < out; o++) {
                double centre = (o + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(centre - support));
                int hi = Math.min(in - 1, (int) Math.ceil(centre + support));
                float[] w = new float[hi - lo + 1];
                double sum = 0;
                for (int i = lo; i <= hi; i++) {
                    double d = Math.abs((i + 0.5 - centre) / support);
                    double v = Math.max(0, 1 - d);
                    w[i - lo] = (float) v;
                    sum += v;
                }
                if (sum == 0) { // degenerate: nearest sample
                    int nearest = Math.min(in - 1, (int) centre);
                    w = new float[] {1f};
                    lo = nearest;
                    sum = 1;
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] /= (float) sum;
                }
                start[o] = lo;
                weights[o] = w;
            }
        }
    }
}
