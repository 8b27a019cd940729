package io.streamlip.bench;

import java.nio.file.Path;

/**
 * Knobs every benchmark understands.
 *
 * @param quick a short run (fewer repetitions, smaller inputs) for smoke tests; figures from it are
 *     not for reports
 * @param threads compute threads where the benchmark has a choice (0: the benchmark's default)
 * @param limit most input records where the benchmark has a choice (0: the benchmark's default)
 * @param checkpoint a trainer checkpoint, or a folder of them (its newest), for the benchmarks that
 *     score with a model ({@code curation}); null: none
 * @param liveLoop how {@code live-loop} runs its demos; default {@link LiveLoopSettings#defaults()}
 */
public record BenchOptions(
        boolean quick, int threads, long limit, Path checkpoint, LiveLoopSettings liveLoop) {

    public BenchOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (default) or positive: " + limit);
        }
        if (liveLoop == null) {
            liveLoop = LiveLoopSettings.defaults();
        }
    }

    /** Options with the default live-loop settings. */
    public BenchOptions(boolean quick, int threads, long limit, Path checkpoint) {
        this(quick, threads, limit, checkpoint, null);
    }

    /** Options without a checkpoint. */
    public BenchOptions(boolean quick, int threads, long limit) {
        this(quick, threads, limit, null);
    }

    /** A full run with each benchmark's own defaults. */
    public static BenchOptions defaults() {
        return builder().build();
    }

    /** A short run with each benchmark's own defaults otherwise. */
    public static BenchOptions quickRun() {
        return builder().quick(true).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds {@link BenchOptions}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private boolean quick = false;
        private int threads = 0;
        private long limit = 0;
        private Path checkpoint = null;
        private LiveLoopSettings liveLoop = LiveLoopSettings.defaults();

        private Builder() {}

        private Builder(BenchOptions c) {
            quick = c.quick;
            threads = c.threads;
            limit = c.limit;
            checkpoint = c.checkpoint;
            liveLoop = c.liveLoop;
        }

        public Builder quick(boolean value) {
            quick = value;
            return this;
        }

        public Builder threads(int value) {
            threads = value;
            return this;
        }

        public Builder limit(long value) {
            limit = value;
            return this;
        }

        public Builder checkpoint(Path value) {
            checkpoint = value;
            return this;
        }

        public Builder liveLoop(LiveLoopSettings value) {
            liveLoop = value;
            return this;
        }

        /** The options; the record's constructor checks them. */
        public BenchOptions build() {
            return new BenchOptions(quick, threads, limit, checkpoint, liveLoop);
        }
    }
}
