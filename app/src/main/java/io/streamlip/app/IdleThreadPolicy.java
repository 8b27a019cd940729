package io.streamlip.app;

import java.util.Locale;

/**
 * What the demo does with the rest of its JVM's threads while curation is idle and the trainer has
 * the cores ({@link BackgroundThreads}).
 */
public enum IdleThreadPolicy {
    /**
     * {@link #BACKGROUND} where this process may put the threads back in {@code SCHED_OTHER}
     * afterwards ({@code CAP_SYS_NICE}, or an {@code RLIMIT_NICE} that allows nice 0), {@link #OFF}
     * elsewhere: tried once when the demo starts.
     */
    AUTO,
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
            throw new IllegalArgumentException(
                    "must be auto, background or off, not '" + name + "'");
        }
    }

    /** How the option and summary.json spell it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
