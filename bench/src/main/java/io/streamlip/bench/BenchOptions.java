package io.streamlip.bench;

/**
 * Knobs every benchmark understands.
 *
 * @param quick a short run (fewer repetitions, smaller inputs) for smoke tests; figures from it are
 *     not for reports
 * @param threads compute threads where the benchmark has a choice (0: the benchmark's default)
 * @param limit most input records where the benchmark has a choice (0: the benchmark's default)
 */
public record BenchOptions(boolean quick, int threads, long limit) {

    public BenchOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (default) or positive: " + limit);
        }
    }

    /** Without a limit. */
    public BenchOptions(boolean quick, int threads) {
        this(quick, threads, 0);
    }

    /** A full run with each benchmark's own defaults. */
    public static BenchOptions defaults() {
        return new BenchOptions(false, 0);
    }

    public static BenchOptions quickRun() {
        return new BenchOptions(true, 0);
    }

    public BenchOptions withLimit(long value) {
        return new BenchOptions(quick, threads, value);
    }
}
