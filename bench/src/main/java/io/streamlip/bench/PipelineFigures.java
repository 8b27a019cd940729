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
 */
record PipelineFigures(
        double steadyRate,
        double endToEndRate,
        double cpuMsPerRecord,
        double jitMsPerRecord,
        long refused,
        Map<String, Double> split) {}
