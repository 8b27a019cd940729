package io.streamlip.bench;

import java.util.Map;

/**
 * What one wiring of jobs at one parallelism measured over the measured stream.
 *
 * @param steadyRate records/s from the first commit of the measured stream to its last
 * @param endToEndRate records/s from the first send to the last commit
 * @param cpuMsPerRecord JVM CPU ms per measured record
 * @param jitMsPerRecord of which the JIT compiler's threads
 * @param refused measured records that ended as rejects
 * @param split CPU ms per record by thread group over the measured stream ({@link ThreadCpu})
 * @param beyondIdle {@code split} less what each group spends per second while the jobs run idle
 *     ({@link ThreadCpu#millisPerRecordBeyondIdle})
 */
record PipelineFigures(
        double steadyRate,
        double endToEndRate,
        double cpuMsPerRecord,
        double jitMsPerRecord,
        long refused,
        Map<String, Double> split,
        Map<String, Double> beyondIdle) {

    /** Figures without an idle measurement: nothing is taken off. */
    PipelineFigures(
            double steadyRate,
            double endToEndRate,
            double cpuMsPerRecord,
            double jitMsPerRecord,
            long refused,
            Map<String, Double> split) {
        this(steadyRate, endToEndRate, cpuMsPerRecord, jitMsPerRecord, refused, split, split);
    }

    /**
     * What the records cost the jobs' JVM: CPU ms per record beyond the idle jobs' ({@link
     * #beyondIdle}), without the JIT compiler's threads and without the benchmark's own (its
     * producer and counters), which the plain work it is set against does not count either. The
     * figure the goal is judged on; the others stay beside it in the report.
     */
    double workCpuMsPerRecord() {
        double total = beyondIdle.getOrDefault("total", cpuMsPerRecord);
        double left = total - beyondIdle.getOrDefault(ThreadCpu.JIT, jitMsPerRecord);
        for (Map.Entry<String, Double> group : beyondIdle.entrySet()) {
            if (!group.getKey().equals("total")
                    && ThreadCpu.category(group.getKey()).equals(ThreadCpu.BENCHMARK)) {
                left -= group.getValue();
            }
        }
        return left;
    }

    /** {@link #beyondIdle} summed by category ({@link ThreadCpu#byCategory}). */
    Map<String, Double> workCategories() {
        return ThreadCpu.byCategory(beyondIdle);
    }

    /** {@link #split} summed by category ({@link ThreadCpu#byCategory}). */
    Map<String, Double> categories() {
        return ThreadCpu.byCategory(split);
    }
}
