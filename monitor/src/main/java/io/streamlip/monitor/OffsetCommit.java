package io.streamlip.monitor;

/**
 * One commit of a consumer group on one partition, as the lag rules see it.
 *
 * @param timeMs when the commit was seen (epoch milliseconds)
 * @param offset the committed offset
 * @param lag the partition's end offset at that time minus {@code offset} (never negative)
 */
public record OffsetCommit(long timeMs, long offset, long lag) {
    public OffsetCommit {
        if (lag < 0) {
            throw new IllegalArgumentException("lag must not be negative: " + lag);
        }
    }
}
