package io.streamlip.monitor;

import java.util.List;

/**
 * Burrow's consumer-lag evaluation ({@code core/internal/evaluator/caching.go}): a partition's
 * status from a sliding window of its commits, with no thresholds to set.
 *
 * <ol>
 *   <li>No lag now: {@link LagStatus#OK}, whatever happened before.
 *   <li>The time since the last commit is longer than the window spans (from its first commit to
 *       its last): {@link LagStatus#STOP} — the consumer stopped committing.
 *   <li>The lag was zero at some commit in the window: {@link LagStatus#OK} — it caught up
 *       recently, so a backlog now is a burst, not a problem.
 *   <li>The committed offset went backwards between two commits: {@link LagStatus#ERR} (Burrow's
 *       REWIND).
 *   <li>The committed offset is the same at every commit: {@link LagStatus#STALL}.
 *   <li>The lag never decreased from one commit to the next: {@link LagStatus#WARN}.
 *   <li>Otherwise {@link LagStatus#OK}.
 * </ol>
 *
 * The rules are checked in this order, so the first that holds decides.
 */
public final class LagRules {
    private LagRules() {}

    /**
     * The status of one partition.
     *
     * @param window the partition's commits, oldest first
     * @param currentLag the lag now: the end offset now minus the last committed offset
     * @param nowMs the time now (epoch milliseconds)
     */
    public static LagStatus evaluate(List<OffsetCommit> window, long currentLag, long nowMs) {
        if (currentLag <= 0 || window.isEmpty()) {
            return LagStatus.OK;
        }
        if (stopped(window, nowMs)) {
            return LagStatus.STOP;
        }
        if (lagWasZero(window)) {
            return LagStatus.OK;
        }
        if (rewound(window)) {
            return LagStatus.ERR;
        }
        if (stalled(window)) {
            return LagStatus.STALL;
        }
        if (lagNeverDecreased(window)) {
            return LagStatus.WARN;
        }
        return LagStatus.OK;
    }

    /** Rule: more time since the last commit than the window spans. */
    static boolean stopped(List<OffsetCommit> window, long nowMs) {
        long first = window.get(0).timeMs();
        long last = window.get(window.size() - 1).timeMs();
        return nowMs - last > last - first;
    }

    static boolean lagWasZero(List<OffsetCommit> window) {
        return window.stream().anyMatch(c -> c.lag() == 0);
    }

    static boolean rewound(List<OffsetCommit> window) {
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).offset() < window.get(i - 1).offset()) {
                return true;
            }
        }
        return false;
    }

    static boolean stalled(List<OffsetCommit> window) {
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).offset() != window.get(i - 1).offset()) {
                return false;
            }
        }
        return true;
    }

    static boolean lagNeverDecreased(List<OffsetCommit> window) {
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).lag() < window.get(i - 1).lag()) {
                return false;
            }
        }
        return true;
    }
}
