package io.streamlip.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The table and JSON of a {@code bench datapath} run, from what it measured: a row per limit and
 * per wiring and parallelism, the figures scripts read by key, and notes that set the jobs against
 * the limits and the relay. Names and keys are those {@code bench/results/} quotes.
 */
final class DatapathReport {
    static final String TITLE = "datapath: filter + tokenize on a MiniCluster";
    static final List<String> COLUMNS =
            List.of(
                    "measure",
                    "records/s",
                    "end to end",
                    "JVM CPU ms/record",
                    "of which JIT",
                    "refused");

    private DatapathReport() {}

    /**
     * What a run measured, in the order it measured it.
     *
     * @param limitsBefore the decode+resize limits before the jobs ran, in a cold JVM
     * @param curateAndBuild records/s of curating and building examples in plain Java
     * @param curateDeduplicateAndBuild the same with the filter job's exact and near-duplicate
     *     lookups between the steps, on the stream the jobs get
     * @param curateAndBuildFullDecode the same as {@code curateAndBuild} with ImageIO full decodes
     *     in both steps
     * @param cost the plain classes' CPU per record by step
     * @param pipeline the filter and tokenize jobs' figures by parallelism (least costly stream)
     * @param relay the relay's figures by parallelism (likewise)
     * @param pipelineWorkByStream the jobs' work CPU ms a record of each stream, by parallelism
     * @param relayWorkByStream the relay's likewise
     * @param limitsAfter the decode+resize limits again after the jobs
     */
    record Measurements(
            PlainJavaRates.Limits limitsBefore,
            double curateAndBuild,
            double curateDeduplicateAndBuild,
            double curateAndBuildFullDecode,
            List<CurationCost.Step> cost,
            Map<Integer, PipelineFigures> pipeline,
            Map<Integer, PipelineFigures> relay,
            Map<Integer, List<Double>> pipelineWorkByStream,
            Map<Integer, List<Double>> relayWorkByStream,
            PlainJavaRates.Limits limitsAfter) {}

    /** The result of a run with {@code settings} that measured {@code m}. */
    static BenchResult of(DatapathSettings settings, Measurements m) {
        BenchResult result = new BenchResult(TITLE, COLUMNS);
        int threads = m.limitsBefore().threads();
        limitRow(
                result, "decode+resize limit (plain Java, 1 thread)", m.limitsBefore().oneThread());
        limitRow(
                result,
                "decode+resize limit (plain Java, " + threads + " threads)",
                m.limitsBefore().pairThreads());
        limitRow(result, "curate+build example (plain Java, 1 thread)", m.curateAndBuild());
        limitRow(
                result,
                "curate+deduplicate+build example (plain Java, 1 thread)",
                m.curateDeduplicateAndBuild());
        limitRow(
                result,
                "curate+build example, ImageIO full decodes (plain Java, 1 thread)",
                m.curateAndBuildFullDecode());
        pipeline(result, m.pipeline());
        relay(result, m.relay());
        limitRow(
                result,
                "decode+resize limit, 1 thread, again after the jobs",
                m.limitsAfter().oneThread());
        limitRow(
                result,
                "decode+resize limit, " + threads + " threads, again after the jobs",
                m.limitsAfter().pairThreads());
        result.note(
                "plain classes, CPU us/record by step: "
                        + figures(CurationCost.asMap(m.cost()), "%.1f", ", ", 0));
        summary(result, settings, m);
        relayBound(result, settings, m);
        return result;
    }

    private static void limitRow(BenchResult result, String measure, double rate) {
        result.row(measure, rate, "", "", "", "");
    }

    private static void jobRow(BenchResult result, String measure, PipelineFigures figures) {
        result.row(
                measure,
                figures.steadyRate(),
                figures.endToEndRate(),
                figures.cpuMsPerRecord(),
                figures.jitMsPerRecord(),
                figures.refused());
    }

    private static void pipeline(BenchResult result, Map<Integer, PipelineFigures> pipeline) {
        pipeline.forEach(
                (parallelism, figures) -> {
                    jobRow(result, "filter+tokenize, parallelism " + parallelism, figures);
                    result.put("cpu_ms_per_record_by_thread_p" + parallelism, figures.split())
                            .put("refused_p" + parallelism, figures.refused())
                            .put(
                                    "parallelism_" + parallelism + "_end_to_end_records_per_s",
                                    figures.endToEndRate())
                            .note(
                                    "parallelism "
                                            + parallelism
                                            + ", CPU ms/record by thread group: "
                                            + figures(figures.split(), "%.2f", "; ", 0.01));
                });
    }

    private static void relay(BenchResult result, Map<Integer, PipelineFigures> relay) {
        relay.forEach(
                (parallelism, figures) -> {
                    jobRow(
                            result,
                            "Kafka relay (the same 2 exactly-once hops and bytes, no work), parallelism "
                                    + parallelism,
                            figures);
                    result.put("relay_p" + parallelism + "_records_per_s", figures.steadyRate())
                            .put(
                                    "relay_cpu_ms_per_record_p" + parallelism,
                                    figures.cpuMsPerRecord())
                            .put(
                                    "relay_cpu_ms_per_record_by_thread_p" + parallelism,
                                    figures.split());
                });
    }

    /** The run's settings and the jobs' rates against the limits (the faster of each pair). */
    private static void summary(BenchResult result, DatapathSettings settings, Measurements m) {
        PlainJavaRates.Limits limits = m.limitsBefore().best(m.limitsAfter());
        double p1 = m.pipeline().get(1).steadyRate();
        double p2 = m.pipeline().get(2).steadyRate();
        result.put("records", settings.records())
                .put("image_size", settings.imageSize())
                .put("example_size", settings.tokenize().imageSize())
                .put("warmup_batches", settings.warmupBatches())
                .put("measured_copies", settings.measuredCopies())
                .put("measured_streams", settings.measuredStreams())
                .put("plain_cost_us_per_record", CurationCost.asMap(m.cost()))
                .put("limit_records_per_s", limits.oneThread())
                .put("limit_2_threads_records_per_s", limits.pairThreads())
                .put("parallelism_1_records_per_s", p1)
                .put("parallelism_2_records_per_s", p2)
                .put("fraction_of_limit_p1", p1 / limits.oneThread())
                .put("fraction_of_2_thread_limit_p2", p2 / limits.pairThreads())
                .put("scaling_p2_over_p1", p2 / p1)
                .note(
                        String.format(
                                Locale.ROOT,
                                "%d synthetic %d px PNG pairs -> %d px RGB examples, each with a"
                                        + " caption of its own, near-duplicate cluster cap lifted;"
                                        + " %d CPUs; checkpoints every %d ms; %d warm-up batches, %d measured;"
                                        + " records/s from the first commit of the measured"
                                        + " stream to its last (end to end: from the first send,"
                                        + " commit latency included); fraction of the 1-thread"
                                        + " limit (p1) %.2f, of the %d-thread limit (p2) %.2f;"
                                        + " p2/p1 %.2f",
                                settings.records(),
                                settings.imageSize(),
                                settings.tokenize().imageSize(),
                                settings.cores(),
                                settings.checkpointInterval().toMillis(),
                                settings.warmupBatches(),
                                settings.measuredCopies(),
                                p1 / limits.oneThread(),
                                limits.threads(),
                                p2 / limits.pairThreads(),
                                p2 / p1));
    }

    /**
     * A relay is fast enough that its measured stream may pass within a few checkpoint intervals,
     * and its rate then mostly measures the commit latency: its CPU per record is the figure that
     * holds, and the rate that CPU allows on these cores its ceiling.
     */
    private static void relayBound(BenchResult result, DatapathSettings settings, Measurements m) {
        double limit = m.limitsBefore().best(m.limitsAfter()).oneThread();
        double relayCpu = m.relay().get(1).cpuMsPerRecord();
        double plainMs = 1000.0 / m.curateAndBuild();
        PipelineFigures jobs = m.pipeline().get(1);
        PipelineFigures relay = m.relay().get(1);
        double jobsCpu = jobs.cpuMsPerRecord();
        // Beyond the idle jobs, no JIT, no benchmark threads: as the plain work's CPU counts.
        double ratio = jobs.workCpuMsPerRecord() / (plainMs + relay.workCpuMsPerRecord());
        // The same against plain work that also keeps the dedup indexes, as the filter job does.
        double withDedupMs = 1000.0 / m.curateDeduplicateAndBuild();
        double withDedupRatio =
                jobs.workCpuMsPerRecord() / (withDedupMs + relay.workCpuMsPerRecord());
        List<Double> jobsByStream = m.pipelineWorkByStream().get(1);
        List<Double> relayByStream = m.relayWorkByStream().get(1);
        result.put("plain_over_full_decode", m.curateAndBuild() / m.curateAndBuildFullDecode())
                .put("jobs_over_plain_plus_relay", ratio)
                .put("jobs_over_plain_plus_relay_gross", jobsCpu / (plainMs + relayCpu))
                .put("plain_with_dedup_records_per_s", m.curateDeduplicateAndBuild())
                .put("jobs_over_plain_with_dedup_plus_relay", withDedupRatio)
                .put("jobs_work_cpu_ms_per_record_p1", jobs.workCpuMsPerRecord())
                .put("relay_work_cpu_ms_per_record_p1", relay.workCpuMsPerRecord())
                .put("jobs_work_cpu_ms_per_record_p1_by_stream", jobsByStream)
                .put("relay_work_cpu_ms_per_record_p1_by_stream", relayByStream)
                .put(
                        "jobs_over_plain_with_dedup_plus_relay_median",
                        median(jobsByStream) / (withDedupMs + median(relayByStream)))
                .put(
                        "jobs_over_plain_plus_relay_median",
                        median(jobsByStream) / (plainMs + median(relayByStream)))
                .put("jobs_cpu_ms_per_record_by_category_p1", jobs.categories())
                .put("relay_cpu_ms_per_record_by_category_p1", relay.categories())
                .put("jobs_beyond_idle_by_category_p1", jobs.workCategories())
                .put("relay_beyond_idle_by_category_p1", relay.workCategories())
                .put("records_per_s_per_core", 1000.0 / jobs.workCpuMsPerRecord())
                .note(
                        String.format(
                                Locale.ROOT,
                                "%d px PNG: plain curate+build %.0f/s against %.0f/s with ImageIO"
                                        + " full decodes (%.2fx); jobs %.3f CPU ms/record of work"
                                        + " (beyond the idle jobs, no JIT, no benchmark threads;"
                                        + " %.3f in all, JIT %.3f) against plain %.3f + relay"
                                        + " %.3f (%.3f in all) = %.2fx (%.2fx in all); %.0f"
                                        + " records/s per core (CPU-bound)",
                                settings.imageSize(),
                                m.curateAndBuild(),
                                m.curateAndBuildFullDecode(),
                                m.curateAndBuild() / m.curateAndBuildFullDecode(),
                                jobs.workCpuMsPerRecord(),
                                jobsCpu,
                                jobs.jitMsPerRecord(),
                                plainMs,
                                relay.workCpuMsPerRecord(),
                                relayCpu,
                                ratio,
                                jobsCpu / (plainMs + relayCpu),
                                1000.0 / jobs.workCpuMsPerRecord()))
                .note(
                        String.format(
                                Locale.ROOT,
                                "with the exact and near-duplicate lookups in the plain work too"
                                        + " (%.3f ms a record, of which %.3f for the lookups):"
                                        + " jobs %.3f against %.3f + relay %.3f = %.2fx",
                                withDedupMs,
                                withDedupMs - plainMs,
                                jobs.workCpuMsPerRecord(),
                                withDedupMs,
                                relay.workCpuMsPerRecord(),
                                withDedupRatio))
                .note(
                        String.format(
                                Locale.ROOT,
                                "measured streams at p1, work CPU ms/record in the order they ran"
                                        + " (the least kept, as the plain work keeps the best of"
                                        + " its passes): jobs %s, relay %s; with the medians"
                                        + " instead, jobs against plain + relay %.2fx, against"
                                        + " plain with the lookups + relay %.2fx",
                                joined(jobsByStream),
                                joined(relayByStream),
                                median(jobsByStream) / (plainMs + median(relayByStream)),
                                median(jobsByStream) / (withDedupMs + median(relayByStream))))
                .note(
                        "p1, CPU ms/record by category, beyond the idle jobs (in all): jobs "
                                + byCategory(jobs, "%.3f")
                                + "; relay "
                                + byCategory(relay, "%.3f"));
        double relayCeiling = settings.cores() * 1000.0 / relayCpu;
        result.put("relay_cpu_bound_records_per_s", relayCeiling)
                .put("relay_cpu_bound_fraction_of_limit", relayCeiling / limit)
                .note(
                        String.format(
                                Locale.ROOT,
                                "relay: %.3f ms of CPU per record at p1 (the jobs: %.3f), so"
                                        + " transport alone would allow %.0f records/s on %d"
                                        + " CPUs, %.2f of the 1-thread limit; its measured rate is"
                                        + " a lower bound (the stream passes in a few checkpoint"
                                        + " intervals)",
                                relayCpu,
                                m.pipeline().get(1).cpuMsPerRecord(),
                                relayCeiling,
                                settings.cores(),
                                relayCeiling / limit));
    }

    /** The median of {@code values} (not empty): the mean of the middle two of an even count. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String joined(List<Double> values) {
        return values.stream()
                .map(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** "category beyond-idle (in all)" for each category, in the order of the categories. */
    static String byCategory(PipelineFigures figures, String valueFormat) {
        Map<String, Double> all = figures.categories();
        return figures.workCategories().entrySet().stream()
                .map(
                        e ->
                                e.getKey()
                                        + " "
                                        + String.format(Locale.ROOT, valueFormat, e.getValue())
                                        + " ("
                                        + String.format(
                                                Locale.ROOT,
                                                valueFormat,
                                                all.getOrDefault(e.getKey(), 0.0))
                                        + ")")
                .collect(Collectors.joining(", "));
    }

    /** "name value" for each figure at least {@code smallest} in size, in the map's order. */
    static String figures(
            Map<String, Double> values, String valueFormat, String separator, double smallest) {
        return values.entrySet().stream()
                .filter(e -> Math.abs(e.getValue()) >= smallest)
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, valueFormat, e.getValue()))
                .collect(Collectors.joining(separator));
    }
}
