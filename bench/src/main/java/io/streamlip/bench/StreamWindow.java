package io.streamlip.bench;

/**
 * When the measured stream was sent and committed, and the two rates taken from it. Counts are of
 * records committed (as an example or a reject) since the jobs started.
 *
 * @param records records in the stream
 * @param committedBefore records committed before the stream was sent (the warm-up batches)
 * @param sendNanos when the first record was sent ({@link System#nanoTime})
 * @param firstCommit the stream's first commit
 * @param endNanos when its last record was committed
 */
record StreamWindow(
        int records,
        long committedBefore,
        long sendNanos,
        CommittedCounter.FirstCommit firstCommit,
        long endNanos) {

    /** Records/s from the first send to the last commit, commit latency included. */
    double endToEndRate() {
        return records / ((endNanos - sendNanos) / 1e9);
    }

    /**
     * Records/s committed after the stream's first commit, over the time from it to the last: the
     * steady rate, without the fixed latency before the first commit. When everything came in one
     * commit there is no interval to take a rate over, and this is the end-to-end rate.
     */
    double steadyRate() {
        long afterFirst =
                committedBefore + records - Math.max(committedBefore, firstCommit.count());
        return afterFirst > 0 && endNanos > firstCommit.nanos()
                ? afterFirst / ((endNanos - firstCommit.nanos()) / 1e9)
                : endToEndRate();
    }
}
