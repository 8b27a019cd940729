package io.streamlip.filter.neardup;

import java.io.Serializable;

/**
 * Banded keys of a 64-bit hash for finding near neighbours by exact key lookups (locality-sensitive
 * hashing by bit sampling): the hash is cut into {@code bands} runs of bits, and each run with its
 * band number is a key. Two hashes within Hamming distance {@code bands - 1} agree on at least one
 * band (pigeonhole), so looking up every band key of a hash finds every such neighbour; candidates
 * are then checked by their real distance.
 */
public final class LshBands implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int bands;

    /**
     * @param bands number of bands, 1 to 16; finds every neighbour within {@code bands - 1}
     */
    public LshBands(int bands) {
        if (bands < 1 || bands > 16) {
            throw new IllegalArgumentException("bands must be in [1, 16], got " + bands);
        }
        this.bands = bands;
    }

    /** Bands for finding every neighbour within {@code maxDistance}. */
    public static LshBands forDistance(int maxDistance) {
        return new LshBands(maxDistance + 1);
    }

    public int bands() {
        return bands;
    }

    /** The band keys of {@code hash}: band number in the top byte, the band's bits below. */
    public long[] keys(long hash) {
        long[] keys = new long[bands];
        int start = 0;
        for (int b = 0; b < bands; b++) {
            int end = (int) Math.round((b + 1) * 64.0 / bands);
            int width = end - start;
            long bits = width == 64 ? hash : (hash >>> start) & ((1L << width) - 1);
            keys[b] = ((long) b << 56) | bits;
            start = end;
        }
        return keys;
    }
}
