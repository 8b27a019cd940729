package io.streamlip.bench;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.schemas.RawPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code streamlip bench datapath}: the filter and tokenize jobs' records/s and CPU per record on a
 * MiniCluster against the in-process broker, at parallelism 1 and 2, beside the same work in plain
 * Java ({@link PlainJavaRates}, with and without the dedup lookups) and a relay of the jobs' two
 * exactly-once Kafka hops carrying the same bytes with no work between ({@link
 * DatapathJobs#relay}); then web-sized JPEGs ({@link WebDatapath}). Settings: {@link
 * DatapathSettings}; the report: {@link DatapathReport}; the method:
 * docs/decisions/datapath-benchmark.md.
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
        // Where the plain classes' time goes (bench curation-cost has the same on emoji pairs),
        // on the captions the jobs get.
        List<CurationCost.Step> cost =
                settings.curationCost()
                        .measure(
                                PlainJavaRates.measuredCopy(pairs),
                                DatapathSettings.FILTER,
                                settings.tokenize());
        Streams pipeline;
        Streams relay;
        List<WebDatapath.Figures> web = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            DatapathJobs.Wiring jobs =
                    DatapathJobs.filterAndTokenize(DatapathSettings.FILTER, settings.tokenize());
            pipeline = measure(broker, "p", jobs, pairs, settings);
            DatapathJobs.Wiring relayHops =
                    DatapathJobs.relay(
                            DatapathJobs.exampleValues(
                                    pairs, DatapathSettings.FILTER, settings.tokenize()));
            relay = measure(broker, "relay-p", relayHops, pairs, settings);
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
                                pipeline.best(),
                                relay.best(),
                                pipeline.workByStream(),
                                relay.workByStream(),
                                limitsAfter));
        WebDatapath.report(result, web, settings.cores());
        return result;
    }

    /**
     * What one wiring measured at each parallelism: the figures of its least costly measured
     * stream, and each stream's work CPU per record in the order they ran.
     */
    record Streams(Map<Integer, PipelineFigures> best, Map<Integer, List<Double>> workByStream) {}

    /**
     * Runs {@code wiring}'s jobs at each parallelism in turn, labelled {@code prefix} and the
     * parallelism: warm-up batches, then {@link DatapathSettings#measuredStreams} measured streams,
     * of which the one with the least work CPU per record is kept ({@link
     * PipelineFigures#workCpuMsPerRecord}).
     */
    private static Streams measure(
            KafkaBroker broker,
            String prefix,
            DatapathJobs.Wiring wiring,
            List<RawPair> pairs,
            DatapathSettings settings)
            throws Exception {
        Map<Integer, PipelineFigures> best = new LinkedHashMap<>();
        Map<Integer, List<Double>> workByStream = new LinkedHashMap<>();
        for (int parallelism : DatapathSettings.PARALLELISMS) {
            try (PipelineRun run =
                    PipelineRun.start(
                            broker,
                            prefix + parallelism,
                            wiring,
                            parallelism,
                            settings.checkpointInterval())) {
                run.warmUp(pairs, settings.warmupBatches());
                List<Double> work = new ArrayList<>();
                for (int stream = 1; stream <= settings.measuredStreams(); stream++) {
                    PipelineFigures figures = run.measure(pairs, settings.measuredCopies(), stream);
                    work.add(figures.workCpuMsPerRecord());
                    PipelineFigures kept = best.get(parallelism);
                    if (kept == null || figures.workCpuMsPerRecord() < kept.workCpuMsPerRecord()) {
                        best.put(parallelism, figures);
                    }
                }
                workByStream.put(parallelism, List.copyOf(work));
            }
        }
        return new Streams(best, workByStream);
    }
}
