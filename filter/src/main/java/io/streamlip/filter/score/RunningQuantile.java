package io.streamlip.filter.score;

import java.util.Arrays;

/**
 * Quantiles of the last {@code window} values of a stream: a ring of the values in arrival order
 * beside the same values sorted, each update one binary search and one array shift ({@code
 * O(window)}, a few microseconds for a thousand values, far below a model's scoring time). Not
 * thread-safe.
 */
public final class RunningQuantile {
    private final float[] ring;
    private final float[] sorted;
    private int size;
    private int next;

    public RunningQuantile(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.ring = new float[window];
        this.sorted = new float[window];
    }

    /** Adds {@code value}, dropping the oldest when the window is full. */
    public void add(float value) {
        if (Float.isNaN(value)) {
            throw new IllegalArgumentException("NaN");
        }
        if (size == ring.length) {
            remove(ring[next]);
        }
        ring[next] = value;
        next = (next + 1) % ring.length;
        int at = Arrays.binarySearch(sorted, 0, size, value);
        int insert = at >= 0 ? at : -at - 1;
        System.arraycopy(sorted, insert, sorted, insert + 1, size - insert);
        sorted[insert] = value;
        size++;
    }

    private void remove(float value) {
        int at = Arrays.binarySearch(sorted, 0, size, value);
        System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
        size--;
    }

    /** Values in the window. */
    public int size() {
        return size;
    }

    /**
     * The {@code q}-quantile (0 = smallest, 1 = largest) of the window: the value {@code
     * sorted[floor(q * n)]} (the largest when {@code q = 1}), so that the values at or above {@code
     * quantile(1 - f)} are the top fraction {@code f} of the window.
     *
     * @throws IllegalStateException when empty
     */
    public float quantile(double q) {
        if (size == 0) {
            throw new IllegalStateException("no values yet");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], got " + q);
        }
        return sorted[Math.min(size - 1, (int) Math.floor(q * size))];
    }

    public void clear() {
        size = 0;
        next = 0;
    }
}
