package io.streamlip.bench;

/**
 * One benchmark, run as {@code streamlip bench NAME}: it measures, then returns a result that
 * prints as a table or as one JSON object.
 */
public interface Benchmark {

    /** The name on the command line, e.g. {@code trainer}. */
    String name();

    /** One line: what is measured and at which configuration. */
    String description();

    /** Runs the measurement; progress goes to the log (stderr), never to stdout. */
    BenchResult run(BenchOptions options) throws Exception;
}
