package io.streamlip.app;

import java.util.Locale;

/**
 * What the demo does with the rest of its JVM's threads while curation is idle and the trainer has
 * the cores ({@link BackgroundThreads}).
 */
public enum IdleThreadPolicy {
    /**
     * The Java threads other than the trainer's (its training and prefetch threads, libtorch's
     * workers) go to Linux's {@code SCHED_IDLE} class, and back when curation is busy again.
     */
    BACKGROUND,
    /** Every thread keeps its scheduling. */
    OFF;

    /** The policy named {@code name}, case-insensitive. */
    public static IdleThreadPolicy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be background or off, not '" + name + "'");
        }
    }

    /** How the option and summary.json spell it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
