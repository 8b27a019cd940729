package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.PerceptualHash;

/**
 * A 24-byte summary of a {@link PerceptualHash#thumbnail} that bounds {@code
 * PerceptualHash#thumbnailDistance} from below, so the band stage can rule out most hash-near
 * candidates without reading their thumbnails from state.
 *
 * <p>The thumbnail's bytes are cut into {@value #GROUPS} groups (per colour channel, four bands of
 * rows) and each group's sum is kept in 16 bits, four to a {@code long}. For any partition, {@code
 * Σ_i |a_i - b_i| ≥ Σ_g |Σ_{i∈g} a_i - Σ_{i∈g} b_i|} (triangle inequality), so when the sums
 * already differ by more than the distance allows, the thumbnails do too: the test is exact, it
 * never rules out a real near copy.
 */
final class ThumbnailSums {
    /** Groups of bytes summed: 3 channels × 4 bands of rows. */
    static final int GROUPS = 12;

    /** Longs in a summary (three: {@link #fartherThan(long[], long, long, long, int, double)}). */
    static final int LONGS = GROUPS / 4;

    /** The largest thumbnail whose group sums fit in 16 bits (256 bytes of 255 a group). */
    static final int MAX_BYTES = GROUPS * 256;

    /** A summary for a thumbnail too large to summarise: it rules nothing out. */
    private static final long NONE = -1L;

    private ThumbnailSums() {}

    /**
     * The summary of {@code thumbnail} (RGB bytes, pixel after pixel), or one that rules nothing
     * out when the thumbnail is larger than {@value #MAX_BYTES} bytes or not whole pixels.
     */
    static long[] of(byte[] thumbnail) {
        long[] packed = new long[LONGS];
        if (thumbnail.length > MAX_BYTES || thumbnail.length % 3 != 0) {
            java.util.Arrays.fill(packed, NONE);
            return packed;
        }
        int pixels = thumbnail.length / 3;
        long[] sums = new long[GROUPS];
        for (int i = 0; i < thumbnail.length; i++) {
            int pixel = i / 3;
            int channel = i % 3;
            int band = pixel * 4 / pixels;
            sums[channel * 4 + band] += thumbnail[i] & 0xff;
        }
        for (int g = 0; g < GROUPS; g++) {
            packed[g / 4] |= sums[g] << (16 * (g % 4));
        }
        return packed;
    }

    /**
     * Whether thumbnails of {@code length} bytes with these summaries cannot lie within {@code
     * maxDistance} ({@link PerceptualHash#thumbnailDistance}, a mean absolute difference in [0,
     * 1]); false when either summary rules nothing out.
     */
    static boolean fartherThan(long[] a, long[] b, int length, double maxDistance) {
        return fartherThan(a, b[0], b[1], b[2], length, maxDistance);
    }

    /**
     * {@link #fartherThan(long[], long[], int, double)} with the second summary's {@value #LONGS}
     * longs given one by one: the band stage reads them out of a bucket's bytes without an array
     * per member.
     */
    static boolean fartherThan(
            long[] a, long b0, long b1, long b2, int length, double maxDistance) {
        if (a[0] == NONE || b0 == NONE) {
            return false;
        }
        long lowerBound = difference(a[0], b0) + difference(a[1], b1) + difference(a[2], b2);
        // The same scale and rounding as thumbnailDistance: sum / (255 * length).
        return lowerBound / (255.0 * length) > maxDistance;
    }

    /** The sum over the four 16-bit group sums packed in {@code x} and {@code y} of |x - y|. */
    private static long difference(long x, long y) {
        long sum = 0;
        for (int shift = 0; shift < Long.SIZE; shift += 16) {
            sum += Math.abs(((x >>> shift) & 0xffff) - ((y >>> shift) & 0xffff));
        }
        return sum;
    }
}
