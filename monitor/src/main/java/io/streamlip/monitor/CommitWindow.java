package io.streamlip.monitor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The sliding window of one consumer group's commits on one partition, built from the monitor's
 * periodic observations of the committed offset, and its status by {@link LagRules}.
 *
 * <p>Burrow reads every commit (with its timestamp) from {@code __consumer_offsets}; a monitor that
 * polls the Admin API only sees the committed offset now. So a commit is inferred: an observation
 * enters the window when the committed offset changed since the previous entry, or when the group
 * has live members (a live consumer commits on its own schedule, even without progress — that is
 * what tells STALL from STOP). Flink's KafkaSource commits offsets when a checkpoint completes and
 * has no group members, so a Flink job that stops moving ends up STOP, not STALL.
 *
 * <p>While the window holds one entry only, there is no commit rate to compare against: the
 * partition is then judged STOP only once its offset has stood still, with lag, for a whole
 * window's worth of observations ({@code size} observation intervals).
 */
public final class CommitWindow {
    private final int size;
    private final Deque<OffsetCommit> commits = new ArrayDeque<>();
    private long observations;

    /**
     * @param size commits kept (Burrow's {@code intervals}, default 10)
     */
    public CommitWindow(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a window needs at least 2 commits, got " + size);
        }
        this.size = size;
    }

    /**
     * Records what the monitor saw now.
     *
     * @param groupActive whether the group has members now (then the observation counts as a commit
     *     even when the offset did not change)
     */
    public void observe(long timeMs, long committedOffset, long lag, boolean groupActive) {
        observations++;
        OffsetCommit last = commits.peekLast();
        if (last == null || last.offset() != committedOffset || groupActive) {
            commits.addLast(new OffsetCommit(timeMs, committedOffset, Math.max(0, lag)));
            while (commits.size() > size) {
                commits.removeFirst();
            }
        }
    }

    /**
     * The partition's status now.
     *
     * @param currentLag the lag now
     * @param intervalMs the monitor's observation interval
     */
    public LagStatus status(long currentLag, long nowMs, long intervalMs) {
        List<OffsetCommit> window = List.copyOf(commits);
        if (window.size() == 1) {
            boolean stoodStill =
                    currentLag > 0
                            && observations >= size
                            && nowMs - window.get(0).timeMs() >= (size - 1) * intervalMs;
            return stoodStill ? LagStatus.STOP : LagStatus.OK;
        }
        return LagRules.evaluate(window, currentLag, nowMs);
    }

    /** How full the window is, in [0, 1] (Burrow's {@code complete}). */
    public double complete() {
        return Math.min(1.0, commits.size() / (double) size);
    }

    /** The commits in the window, oldest first. */
    public List<OffsetCommit> commits() {
        return List.copyOf(commits);
    }
}
