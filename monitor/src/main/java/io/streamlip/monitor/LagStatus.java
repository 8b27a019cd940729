package io.streamlip.monitor;

/**
 * How a consumer is doing on one partition (or, as the worst of its partitions, on a whole group),
 * in Burrow's terms. Declared from best to worst: {@link #compareTo} orders by severity.
 */
public enum LagStatus {
    /** Caught up at some point in the window, or keeping up. */
    OK,
    /** Committing and moving, but the lag did not shrink once over the window: falling behind. */
    WARN,
    /** Committing, but the committed offset stands still while there is lag. */
    STALL,
    /** No commit for longer than the window spans, while there is lag: the consumer is gone. */
    STOP,
    /** The committed offset went backwards in the window (Burrow's REWIND): an offset reset. */
    ERR;

    /** The worse of the two. */
    public LagStatus worst(LagStatus other) {
        return other.compareTo(this) > 0 ? other : this;
    }

    /**
     * Burrow's group status from the worst partition status: ERR when a partition is stopped,
     * stalled or rewound, WARN when one falls behind, else OK.
     */
    public LagStatus asGroupStatus() {
        return switch (this) {
            case OK -> OK;
            case WARN -> WARN;
            case STALL, STOP, ERR -> ERR;
        };
    }
}
