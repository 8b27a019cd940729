package io.streamlip.trainer.data;

import java.time.Duration;

/**
 * When to read an idle topic again from its start (a finite import that is over): once polls have
 * returned nothing for {@code afterIdle} with no record in between. An empty poll counts as idle
 * only while no partition is paused (a paused consumer gets nothing by design) and once anything
 * has been read or sought (else there is nothing to read again). Counts the passes, 1 until the
 * first replay. Told that the input is complete, it replays at the first empty poll instead. The
 * caller passes the time in ({@link System#nanoTime}).
 */
final class ReplayPolicy {
    private final Duration afterIdle;
    private long idleSince = -1; // nanoTime of the first idle poll since the last record
    private int passes = 1;
    // Set from another thread: the input is all there, so an empty poll means the end of it.
    private volatile boolean inputComplete;

    /**
     * @param afterIdle replay after this long idle; null never replays
     */
    ReplayPolicy(Duration afterIdle) {
        this.afterIdle = afterIdle;
    }

    /** A poll returned records: the topic is not idle. */
    void polledRecords() {
        idleSince = -1;
    }

    /**
     * A poll returned nothing at {@code nowNanos}; true when the topic is to be read again now, and
     * the pass that starts is counted.
     */
    boolean polledNothing(long nowNanos, boolean paused, boolean readAnything) {
        if (afterIdle == null || paused || !readAnything) {
            return false;
        }
        if (inputComplete) {
            passes++;
            idleSince = -1;
            return true;
        }
        if (idleSince < 0) {
            idleSince = nowNanos;
            return false;
        }
        if (nowNanos - idleSince < afterIdle.toNanos()) {
            return false;
        }
        passes++;
        idleSince = -1;
        return true;
    }

    /**
     * Whether the input is complete for now (nothing new is coming): then the first empty poll
     * replays, without waiting for {@code afterIdle}. Safe to call from any thread.
     */
    void inputComplete(boolean complete) {
        inputComplete = complete;
    }

    /** Whether {@link #inputComplete} was last told true. */
    boolean inputComplete() {
        return inputComplete;
    }

    /** The pass being read: 1, plus one per replay. */
    int passes() {
        return passes;
    }

    Duration afterIdle() {
        return afterIdle;
    }
}
