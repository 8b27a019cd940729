package io.streamlip.tokenize;

import io.streamlip.platform.image.Images;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ImagePreprocessor} as it was at main 95f62b7 (one channel plane at a time, column by
 * column), kept verbatim as the reference the faster implementation must equal byte for byte.
 *
 * <p>Brings any decoded image to the training layout: RGB with alpha composited onto white, resized
 * to {@code size x size} (aspect ratio not kept, as in SigLIP's resize-only preprocessing), as
 * row-major uint8 {@code H x W x 3} bytes.
 *
 * <p>Resizing is a separable triangle (bilinear) filter whose support widens with the downscale
 * factor, the way PIL's antialiased resize works, so small training sizes do not alias.
 */
final class ImagePreprocessorReference implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Resamplers for this many distinct input sides at most (web images vary; crops do not). */
    private static final int MAX_CACHED_RESAMPLERS = 64;

    private final int size;

    /** Resampler weights by input side: the same for every image of that side. */
    private transient volatile Map<Integer, Resampler> resamplers;

    ImagePreprocessorReference(int size) {
        if (size < 4) {
            throw new IllegalArgumentException("size must be at least 4, got " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Decodes {@code encoded} and converts it; see {@link #toRgb(BufferedImage)}. */
    public byte[] process(byte[] encoded) throws Images.UndecodableImageException {
        return toRgb(Images.decode(encoded));
    }

    /** {@code size * size * 3} bytes, row-major, RGB. */
    public byte[] toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = Images.argb(image);
        // Planar float RGB composited onto white.
        float[][] planes = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            float a = ((p >>> 24) & 0xff) / 255f;
            float white = 255f * (1 - a);
            planes[0][i] = ((p >>> 16) & 0xff) * a + white;
            planes[1][i] = ((p >>> 8) & 0xff) * a + white;
            planes[2][i] = (p & 0xff) * a + white;
        }
        Resampler horizontal = resampler(w);
        Resampler vertical = resampler(h);
        byte[] out = new byte[size * size * 3];
        float[] rows = new float[h * size];
        for (int c = 0; c < 3; c++) {
            float[] src = planes[c];
            for (int y = 0; y < h; y++) {
                horizontal.apply(src, y * w, 1, rows, y * size, 1);
            }
            float[] column = new float[size];
            for (int x = 0; x < size; x++) {
                vertical.apply(rows, x, size, column, 0, 1);
                for (int y = 0; y < size; y++) {
                    int v = Math.round(column[y]);
                    out[(y * size + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return out;
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

        void apply(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
            for (int o = 0; o < out; o++) {
                float[] w = weights[o];
                int base = srcOff + start[o] * srcStride;
                float acc = 0;
                for (int k = 0; k < w.length; k++) {
                    acc += w[k] * src[base + k * srcStride];
                }
                dst[dstOff + o * dstStride] = acc;
            }
        }
    }
}
