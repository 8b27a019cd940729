package io.streamlip.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Knobs every benchmark understands.
 *
 * @param quick a short run (fewer repetitions, smaller inputs) for smoke tests; figures from it are
 *     not for reports
 * @param threads compute threads where the benchmark has a choice (0: the benchmark's default)
 * @param limit most input records where the benchmark has a choice (0: the benchmark's default)
 * @param checkpoint a trainer checkpoint, or a folder of them (its newest), for the benchmarks that
 *     score with a model ({@code curation}); null: none
 * @param budgetSeconds the training budget of each run, CPU seconds, where the benchmark trains for
 *     a budget ({@code families}); 0: the benchmark's default
 * @param runs how often each measurement is repeated (seeds, or rounds of {@code live-loop}) where
 *     the benchmark has a choice; 0: its default
 * @param variants which of the benchmark's variants to run ({@code families}: model names); empty:
 *     all
 * @param liveLoop how {@code live-loop} runs its demos; default {@link LiveLoopSettings#defaults()}
 */
public record BenchOptions(
        boolean quick,
        int threads,
        long limit,
        Path checkpoint,
        double budgetSeconds,
        int runs,
        List<String> variants,
        LiveLoopSettings liveLoop) {

    public BenchOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (default) or positive: " + limit);
        }
        if (!(budgetSeconds >= 0) || Double.isInfinite(budgetSeconds)) {
            throw new IllegalArgumentException(
                    "budget must be 0 (default) or positive seconds: " + budgetSeconds);
        }
        if (runs < 0 || threads < 0) {
            throw new IllegalArgumentException("runs and threads must be 0 (default) or positive");
        }
        variants = variants == null ? List.of() : List.copyOf(variants);
        if (liveLoop == null) {
            liveLoop = LiveLoopSettings.defaults();
        }
    }

    /** Options without a budget, repetitions or variants, and the default live-loop settings. */
    public BenchOptions(boolean quick, int threads, long limit, Path checkpoint) {
        this(quick, threads, limit, checkpoint, 0, 0, List.of(), null);
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
        private double budgetSeconds = 0;
        private int runs = 0;
        private List<String> variants = List.of();
        private LiveLoopSettings liveLoop = LiveLoopSettings.defaults();

        private Builder() {}

        private Builder(BenchOptions c) {
            quick = c.quick;
            threads = c.threads;
            limit = c.limit;
            checkpoint = c.checkpoint;
            budgetSeconds = c.budgetSeconds;
            runs = c.runs;
            variants = c.variants;
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

        public Builder budgetSeconds(double value) {
            budgetSeconds = value;
            return this;
        }

        public Builder runs(int value) {
            runs = value;
            return this;
        }

        public Builder variants(List<String> value) {
            variants = value;
            return this;
        }

        public Builder liveLoop(LiveLoopSettings value) {
            liveLoop = value;
            return this;
        }

        /** The options; the record's constructor checks them. */
        public BenchOptions build() {
            return new BenchOptions(
                    quick, threads, limit, checkpoint, budgetSeconds, runs, variants, liveLoop);
        }
    }
}
