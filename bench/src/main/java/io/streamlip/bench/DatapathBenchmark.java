package io.streamlip.bench;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.schemas.RawPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code streamlip bench datapath}: records/s of the filter and tokenize jobs together on a Flink
 * MiniCluster against the in-process broker, at parallelism 1 and 2, beside the limit of the same
 * machine: decoding and resizing the same images in plain Java, in one thread and in two, in the
 * same run ({@link PlainJavaRates}). Then the same on a relay ({@link DatapathJobs#relay}): the
 * jobs' two exactly-once Kafka hops with no stage between, what the plumbing costs before any
 * curation or tokenization.
 *
 * <p>After warm-up batches, one stream of copies of the pairs is sent at once ({@link
 * PipelineRun}); its steady rate counts the records committed from the first commit to the last,
 * beside the end-to-end rate and the JVM CPU per record by thread group ({@link ThreadCpu}). Sizes
 * and their properties: {@link DatapathSettings}; the table and JSON: {@link DatapathReport}. Why
 * this method: docs/decisions/datapath-benchmark.md.
 *
 * <p>Then web-sized JPEGs ({@link WebDatapath}) at parallelism 1, each set against the same work
 * with ImageIO full decodes in the same run.
 */
public final class DatapathBenchmark implements Benchmark {

    @Override
    public String name() {
        return "datapath";
    }

    @Override
    public String description() {
        return "filter+tokenize records/s at parallelism 1 and 2 vs the decode+resize limit";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        DatapathSettings settings = DatapathSettings.of(options);
        List<RawPair> pairs = settings.pairs();
        PlainJavaRates plain =
                new PlainJavaRates(pairs, DatapathSettings.FILTER, settings.tokenize());
        PlainJavaRates.Limits limitsBefore = plain.decodeResizeLimits(settings.pairThreads());
        // Alternated, the faster of each kept: the first pass also warms the JIT for both.
        double curateAndBuildFullDecode = plain.curateAndBuildFullDecode();
        double curateAndBuild = plain.curateAndBuild();
        curateAndBuildFullDecode =
                Math.max(curateAndBuildFullDecode, plain.curateAndBuildFullDecode());
        double curateDeduplicateAndBuild =
                plain.curateDeduplicateAndBuild(
                        settings.warmupBatches(), settings.measuredCopies());
        // Where the plain classes' time goes (bench curation-cost has the same on emoji pairs).
        List<CurationCost.Step> cost =
                settings.curationCost()
                        .measure(pairs, DatapathSettings.FILTER, settings.tokenize());
        Map<Integer, PipelineFigures> pipeline;
        Map<Integer, PipelineFigures> relay;
        List<WebDatapath.Figures> web = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            DatapathJobs.Wiring jobs =
                    DatapathJobs.filterAndTokenize(DatapathSettings.FILTER, settings.tokenize());
            pipeline = measure(broker, "p", jobs, pairs, settings);
            relay = measure(broker, "relay-p", DatapathJobs::relay, pairs, settings);
            for (int[] size : WebDatapath.sizes()) {
                web.addAll(WebDatapath.measure(broker, size[0], size[1], settings, options));
            }
        }
        PlainJavaRates.Limits limitsAfter = plain.decodeResizeLimits(settings.pairThreads());
        BenchResult result =
                DatapathReport.of(
                        settings,
                        new DatapathReport.Measurements(
                                limitsBefore,
                                curateAndBuild,
                                curateDeduplicateAndBuild,
                                curateAndBuildFullDecode,
                                cost,
                                pipeline,
                                relay,
                                limitsAfter));
        WebDatapath.report(result, web, settings.cores());
        return result;
    }

    /**
     * Runs {@code wiring}'s jobs at each parallelism in turn, labelled {@code prefix} and the
     * parallelism: warm-up batches, then the measured stream.
     */
    private static Map<Integer, PipelineFigures> measure(
            KafkaBroker broker,
            String prefix,
            DatapathJobs.Wiring wiring,
            List<RawPair> pairs,
            DatapathSettings settings)
            throws Exception {
        Map<Integer, PipelineFigures> figures = new LinkedHashMap<>();
        for (int parallelism : DatapathSettings.PARALLELISMS) {
            try (PipelineRun run =
                    PipelineRun.start(
                            broker,
                            prefix + parallelism,
                            wiring,
                            parallelism,
                            settings.checkpointInterval())) {
                run.warmUp(pairs, settings.warmupBatches());
                figures.put(parallelism, run.measure(pairs, settings.measuredCopies()));
            }
        }
        return figures;
    }
}
