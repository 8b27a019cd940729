package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.TokenizeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@code bench datapath} run measures: its sizes from the system properties below (each
 * with a full and a {@code --quick} default), the jobs' settings and the machine's cores. Why these
 * defaults: docs/decisions/datapath-benchmark.md.
 *
 * @param records pairs per batch ({@value #RECORDS_PROPERTY})
 * @param imageSize side of the synthetic source images in pixels ({@value #IMAGE_SIZE_PROPERTY})
 * @param tokenize the tokenize job's settings, its image size from {@value #EXAMPLE_SIZE_PROPERTY}
 * @param warmupBatches warm-up batches before the measured stream ({@value #WARMUP_PROPERTY})
 * @param measuredCopies copies of the pairs in the measured stream ({@value #MEASURED_PROPERTY})
 * @param measuredStreams measured streams, the least costly kept ({@value #STREAMS_PROPERTY})
 * @param checkpointInterval the jobs' checkpoint interval ({@value #CHECKPOINT_PROPERTY})
 * @param quick a {@code --quick} run (fewer passes of the plain classes' cost too)
 * @param cores the machine's cores
 * @param pairThreads the threads parallelism 2 is set against: 2, fewer on a 1-core machine
 */
record DatapathSettings(
        int records,
        int imageSize,
        TokenizeConfig tokenize,
        int warmupBatches,
        int measuredCopies,
        int measuredStreams,
        Duration checkpointInterval,
        boolean quick,
        int cores,
        int pairThreads) {

    /**
     * The jobs' checkpoint interval in milliseconds, default 1,000: the benchmark's stated method
     * (the exactly-once sinks commit on checkpoints, so a shorter interval shows records sooner and
     * costs more). Another, e.g. the jobs' default of 5 s, shows in the notes.
     */
    static final String CHECKPOINT_PROPERTY = "streamlip.bench.datapath.checkpoint-ms";

    /**
     * Warm-up batches before the measured stream, default 12 (1 with {@code --quick}): enough for
     * the JIT to settle, since the steady state is the figure that matters. What is left shows in
     * the column {@code of which JIT}.
     */
    static final String WARMUP_PROPERTY = "streamlip.bench.datapath.warmup-batches";

    /**
     * Side of the synthetic source images in pixels, default 64 (icon-sized, like the emoji
     * corpus). With small images the jobs' cost per record (Kafka, Flink, state) outweighs
     * decoding; a web-sized image (e.g. 384) shows the other end.
     */
    static final String IMAGE_SIZE_PROPERTY = "streamlip.bench.datapath.image-size";

    /**
     * Side of the examples' images, default the tokenize job's (32: the CPU demo's; 224 is B/16's),
     * for the jobs and the limit alike.
     */
    static final String EXAMPLE_SIZE_PROPERTY = "streamlip.bench.datapath.example-size";

    /**
     * Pairs per batch, default 3,000 (600 with {@code --quick}): each warm-up batch sends them
     * once, the measured stream as many times as it has copies. Fewer suit large images, whose
     * batches take longer.
     */
    static final String RECORDS_PROPERTY = "streamlip.bench.datapath.records";

    /**
     * Relabelled copies of the pairs in the measured stream, sent back to back, default 10 (3 with
     * {@code --quick}), so that the rate is taken over many checkpoint intervals of steady
     * processing.
     */
    static final String MEASURED_PROPERTY = "streamlip.bench.datapath.measured-copies";

    /**
     * Measured streams sent one after the other at 64 px, default 3 (1 with {@code --quick}): the
     * jobs' and the relay's figures are those of the stream that cost the least CPU a record, as
     * the plain work's are the best of three passes; the others are reported beside them
     * (docs/decisions/datapath-benchmark.md).
     */
    static final String STREAMS_PROPERTY = "streamlip.bench.datapath.measured-streams";

    /** The parallelisms measured, in this order; the report sets 2 against 1. */
    static final List<Integer> PARALLELISMS = List.of(1, 2);

    /**
     * The filter's defaults without the near-duplicate cluster cap: the synthetic shapes repeat (48
     * shape-colour classes), so the default cap of 64 would refuse most of the measured pairs after
     * their near-duplicate lookups, in an order-dependent share.
     */
    static final FilterConfig FILTER =
            FilterConfig.builder()
                    .nearDuplicates(
                            NearDuplicateConfig.builder().clusterCap(Integer.MAX_VALUE).build())
                    .build();

    /** The settings of a run with {@code options}, each overridden by its system property. */
    static DatapathSettings of(BenchOptions options) {
        boolean quick = options.quick();
        int cores = Runtime.getRuntime().availableProcessors();
        return new DatapathSettings(
                Integer.getInteger(RECORDS_PROPERTY, quick ? 600 : 3000),
                Integer.getInteger(IMAGE_SIZE_PROPERTY, 64),
                TokenizeConfig.builder()
                        .imageSize(
                                Integer.getInteger(
                                        EXAMPLE_SIZE_PROPERTY,
                                        TokenizeConfig.defaults().imageSize()))
                        .build(),
                Integer.getInteger(WARMUP_PROPERTY, quick ? 1 : 12),
                Integer.getInteger(MEASURED_PROPERTY, quick ? 3 : 10),
                Math.max(1, Integer.getInteger(STREAMS_PROPERTY, quick ? 1 : 3)),
                Duration.ofMillis(Long.getLong(CHECKPOINT_PROPERTY, 1000)),
                quick,
                cores,
                Math.min(2, cores));
    }

    /** {@link #records} synthetic pairs of {@link #imageSize} px PNGs, the same for every run. */
    List<RawPair> pairs() {
        List<RawPair> pairs = new ArrayList<>();
        new SyntheticPairs(imageSize).pairs(records, 1).forEachRemaining(pairs::add);
        return pairs;
    }

    /** How the plain classes' cost per step is measured: one pass with {@code --quick}. */
    CurationCost curationCost() {
        return quick ? new CurationCost(1) : CurationCost.defaults();
    }
}
