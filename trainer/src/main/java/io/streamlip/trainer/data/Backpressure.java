package io.streamlip.trainer.data;

/**
 * When the reader polls, pauses, resumes and draws a batch, by how full the shuffle buffer is. It
 * polls while the buffer has room; pauses the partitions when the buffer reaches its capacity;
 * resumes them below the low-water mark, and always when less than a batch is left (a paused
 * consumer could otherwise never fill the buffer to a batch again); draws a batch from a full
 * buffer, or from a batch's worth once the consumer has caught up with the stream (waiting for a
 * full buffer would only delay training and freshness). Counts the pauses it orders.
 */
final class Backpressure {
    private final int capacity;
    private final int resumeBelow;
    private final int batchSize;
    private long pauses;

    /**
     * @param capacity the shuffle buffer's capacity, its high-water mark
     * @param resumeBelow the low-water mark
     * @param batchSize examples per batch, at most {@code capacity}
     */
    Backpressure(int capacity, int resumeBelow, int batchSize) {
        if (capacity < batchSize) {
            throw new IllegalArgumentException(
                    "the shuffle buffer ("
                            + capacity
                            + ") must hold at least a batch ("
                            + batchSize
                            + ")");
        }
        this.capacity = capacity;
        this.resumeBelow = resumeBelow;
        this.batchSize = batchSize;
    }

    /** Whether to poll: the buffer has room. */
    boolean hasRoom(long buffered) {
        return buffered < capacity;
    }

    /** Whether to pause the running partitions now; counted when true. */
    boolean pause(long buffered, boolean paused) {
        if (buffered >= capacity && !paused) {
            pauses++;
            return true;
        }
        return false;
    }

    /** Whether to resume the paused partitions now. */
    boolean resume(long buffered, boolean paused) {
        return paused && buffered < Math.max(resumeBelow, batchSize);
    }

    /**
     * Whether to draw a batch now; {@code caughtUp}: the last poll returned less than a full one.
     */
    boolean batchReady(long buffered, boolean caughtUp) {
        return buffered >= capacity || (caughtUp && buffered >= batchSize);
    }

    /** How many times it ordered a pause. */
    long pauses() {
        return pauses;
    }
}
