package io.streamlip.trainer.data;

/**
 * The trainer's one source of randomness for what it reads (shuffle-buffer sampling, per-language
 * sampling): SplitMix64, whose whole state is one {@code long}, so a checkpoint can store it and a
 * resumed trainer can continue the same sequence. Not thread-safe: the training thread owns it.
 */
public final class StreamRandom {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /** A generator seeded with {@code seed}. */
    public StreamRandom(long seed) {
        this.state = seed;
    }

    /** The generator's whole state (store it; {@link #setState} continues from it). */
    public long state() {
        return state;
    }

    /** Continues from a state returned by {@link #state()}. */
    public void setState(long state) {
        this.state = state;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) ((nextLong() >>> 33) % bound);
    }
}
