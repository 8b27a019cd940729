package io.streamlip.bench;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.image.WebImages;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.TokenizeConfig;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The web-sized half of {@code bench datapath}: JPEGs as the web serves them ({@link WebImages}:
 * quality 60 to 95, a third progressive, a fifth with an EXIF orientation) of one size each,
 * curated and built into examples of {@value #EXAMPLE_SIZE} px. For each size, in one run: the
 * plain classes' rate with each image decoded once at the scale its consumers need, the same with
 * ImageIO full decodes (the reference), the jobs and the relay at parallelism 1 (CPU per record),
 * and the bytes an example takes on {@code examples} in each pixel layout.
 */
final class WebDatapath {
    /** The examples' side, B/16's. */
    static final int EXAMPLE_SIZE = 224;

    /**
     * The web image sizes measured, {@code WxH} comma-separated, default {@code 640x480,1024x768};
     * empty skips the web half.
     */
    static final String SIZES_PROPERTY = "streamlip.bench.datapath.web-sizes";

    /** Distinct pairs per web size, default 300 (60 with {@code --quick}). */
    static final String RECORDS_PROPERTY = "streamlip.bench.datapath.web-records";

    /**
     * Warm-up batches of the web pairs before each measured stream, default 4 (1 with {@code
     * --quick}): a web batch is a few hundred records, and after one the JIT compiler still took a
     * third of the jobs' CPU over the measured stream.
     */
    static final String WARMUP_PROPERTY = "streamlip.bench.datapath.web-warmup-batches";

    /** Measured copies of the web pairs, default 4 (2 with {@code --quick}). */
    static final String MEASURED_PROPERTY = "streamlip.bench.datapath.web-measured-copies";

    private WebDatapath() {}

    /** What one web size measured. */
    record Figures(
            String size,
            int records,
            int warmupBatches,
            long checkpointMs,
            boolean firstInterval,
            double encodedKb,
            double plainRate,
            double fullDecodeRate,
            PipelineFigures jobs,
            PipelineFigures relay,
            double rawExampleBytes,
            double pngExampleBytes,
            double jpegImageBytes) {
        /** Plain work per record in CPU ms (one thread: 1 / rate). */
        double plainMs() {
            return 1000.0 / plainRate;
        }

        /**
         * Jobs' CPU per record against plain work plus the relay's, each as {@link
         * PipelineFigures#workCpuMsPerRecord}: beyond the idle jobs, without the JIT compiler and
         * the benchmark's threads, which the plain work's CPU does not count either.
         */
        double overheadRatio() {
            return jobs.workCpuMsPerRecord() / (plainMs() + relay.workCpuMsPerRecord());
        }

        /** {@link #overheadRatio} of the whole JVM's CPU over the measured streams. */
        double overheadRatioGross() {
            return jobs.cpuMsPerRecord() / (plainMs() + relay.cpuMsPerRecord());
        }
    }

    /** The sizes {@link #SIZES_PROPERTY} asks for, as {width, height}. */
    static List<int[]> sizes() {
        String value = System.getProperty(SIZES_PROPERTY, "640x480,1024x768").trim();
        List<int[]> sizes = new ArrayList<>();
        for (String size : value.split(",")) {
            if (size.isBlank()) {
                continue;
            }
            String[] wh = size.trim().split("x");
            sizes.add(new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])});
        }
        return sizes;
    }

    /** {@code records} pairs with captions of the synthetic source and web JPEGs of w x h. */
    static List<RawPair> pairs(int w, int h, int records) {
        SplittableRandom random = new SplittableRandom(w * 31L + h);
        List<RawPair> pairs = new ArrayList<>();
        var source = new SyntheticPairs(32).pairs(records, 1);
        for (int i = 0; i < records; i++) {
            WebImages.Spec drawn = WebImages.sample(random);
            WebImages.Spec spec =
                    new WebImages.Spec(
                            w, h, drawn.quality(), drawn.progressive(), drawn.orientation(), false);
            byte[] jpeg = WebImages.jpeg(spec, random.nextLong());
            pairs.add(
                    RawPair.newBuilder(source.next())
                            .setId("web" + w + "x" + h + "-" + i)
                            .setImage(ByteBuffer.wrap(jpeg))
                            .build());
        }
        return pairs;
    }

    /**
     * The jobs' checkpoint intervals the web sizes are measured at, in milliseconds,
     * comma-separated, default the jobs' own default (5 s, {@code JobSettings}): the jobs and the
     * relay at each, side by side in one run, against one measurement of the plain work. The first
     * interval's figures keep the plain keys; the others' keys name their interval. Not the 64 px
     * half's 1 s: every checkpoint commits a transaction per exactly-once sink, and at web sizes
     * (tens of records a second on two cores) a second's records are too few to share that cost as
     * a deployed job's do (bench/results/datapath-2026-12-06.md).
     */
    static final String CHECKPOINTS_PROPERTY = "streamlip.bench.datapath.web-checkpoint-ms";

    /** The intervals {@link #CHECKPOINTS_PROPERTY} asks for, else {@code jobsDefault}. */
    static List<Duration> checkpointIntervals(Duration jobsDefault) {
        String value = System.getProperty(CHECKPOINTS_PROPERTY, "").trim();
        List<Duration> intervals = new ArrayList<>();
        for (String ms : value.split(",")) {
            if (!ms.isBlank()) {
                intervals.add(Duration.ofMillis(Long.parseLong(ms.trim())));
            }
        }
        return intervals.isEmpty() ? List.of(jobsDefault) : intervals;
    }

    /** Measures one web size, at each checkpoint interval {@link #checkpointIntervals} names. */
    static List<Figures> measure(
            KafkaBroker broker, int w, int h, DatapathSettings settings, BenchOptions options)
            throws Exception {
        int records = Integer.getInteger(RECORDS_PROPERTY, options.quick() ? 60 : 300);
        int copies = Integer.getInteger(MEASURED_PROPERTY, options.quick() ? 2 : 4);
        int warmup = Integer.getInteger(WARMUP_PROPERTY, options.quick() ? 1 : 4);
        List<RawPair> pairs = pairs(w, h, records);
        double encodedKb =
                pairs.stream().mapToInt(p -> p.getImage().remaining()).average().orElse(0) / 1024;
        TokenizeConfig tokenize = TokenizeConfig.builder().imageSize(EXAMPLE_SIZE).build();
        PlainJavaRates plain = new PlainJavaRates(pairs, DatapathSettings.FILTER, tokenize);
        // Alternated, the faster of each kept: the first pass also warms the JIT for both.
        double reduced = plain.curateAndBuild();
        double fullDecode = plain.curateAndBuildFullDecode();
        reduced = Math.max(reduced, plain.curateAndBuild());
        double[] bytes = exampleBytes(pairs, tokenize);
        List<Figures> figures = new ArrayList<>();
        for (Duration interval :
                checkpointIntervals(JobSettings.defaults(Path.of("unused")).checkpointInterval())) {
            String label = "web" + w + "x" + h + "-cp" + interval.toMillis() + "-p1";
            PipelineFigures jobs;
            try (PipelineRun run =
                    PipelineRun.start(
                            broker,
                            label,
                            DatapathJobs.filterAndTokenize(DatapathSettings.FILTER, tokenize),
                            1,
                            interval)) {
                run.warmUp(pairs, warmup);
                jobs = run.measure(pairs, copies, 1);
            }
            PipelineFigures relay;
            try (PipelineRun run =
                    PipelineRun.start(
                            broker,
                            "relay-" + label,
                            DatapathJobs.relay(
                                    DatapathJobs.exampleValues(
                                            pairs, DatapathSettings.FILTER, tokenize)),
                            1,
                            interval)) {
                run.warmUp(pairs, warmup);
                relay = run.measure(pairs, copies, 1);
            }
            figures.add(
                    new Figures(
                            w + "x" + h,
                            records,
                            warmup,
                            interval.toMillis(),
                            figures.isEmpty(),
                            encodedKb,
                            reduced,
                            fullDecode,
                            jobs,
                            relay,
                            bytes[0],
                            bytes[1],
                            bytes[2]));
        }
        return figures;
    }

    /**
     * Mean encoded bytes of an example on {@code examples} with RGB8_HWC pixels, with PNG pixels,
     * and the mean size of the example's image as a JPEG of quality 90 (what an encoded-image
     * layout would carry instead of the pixels).
     */
    private static double[] exampleBytes(List<RawPair> pairs, TokenizeConfig raw) {
        PairCurator curator = new PairCurator(DatapathSettings.FILTER);
        ExampleBuilder rawBuilder = new ExampleBuilder(raw);
        ExampleBuilder pngBuilder =
                new ExampleBuilder(raw.toBuilder().pixelFormat(PixelFormat.PNG).build());
        RecordSize<Example> size = RecordSize.of(Example.class);
        int n = Math.min(50, pairs.size());
        double rawSum = 0;
        double pngSum = 0;
        double jpegSum = 0;
        for (int i = 0; i < n; i++) {
            CuratedPair curated = curator.curate(pairs.get(i), Instant.now()).value();
            Example example = rawBuilder.build(curated).value();
            rawSum += size.encodedSize(example);
            pngSum += size.encodedSize(pngBuilder.build(curated).value());
            jpegSum += jpeg(example.getImage(), raw.imageSize()).length;
        }
        return new double[] {rawSum / n, pngSum / n, jpegSum / n};
    }

    private static byte[] jpeg(ByteBuffer rgb, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        ByteBuffer pixels = rgb.duplicate();
        for (int i = 0; i < side * side; i++) {
            byte r = pixels.get();
            byte g = pixels.get();
            byte b = pixels.get();
            bgr[3 * i] = b;
            bgr[3 * i + 1] = g;
            bgr[3 * i + 2] = r;
        }
        return WebImages.jpeg(image, new WebImages.Spec(side, side, 90, false, 0, false));
    }

    /** The rows and notes of each web size. */
    static void report(BenchResult result, List<Figures> figures, int cores) {
        for (Figures f : figures) {
            String size = f.size();
            String interval =
                    f.firstInterval() ? "" : ", checkpoints every " + f.checkpointMs() + " ms";
            String prefix = "web " + size + " JPEG -> " + EXAMPLE_SIZE + " px" + interval + ": ";
            result.row(
                    prefix + "curate+build, ImageIO full decodes (plain Java, 1 thread)",
                    f.fullDecodeRate(),
                    "",
                    "",
                    "",
                    "");
            result.row(
                    prefix + "curate+build, decoded once at scale (plain Java, 1 thread)",
                    f.plainRate(),
                    "",
                    "",
                    "",
                    "");
            result.row(
                    prefix + "filter+tokenize, parallelism 1",
                    f.jobs().steadyRate(),
                    f.jobs().endToEndRate(),
                    f.jobs().cpuMsPerRecord(),
                    f.jobs().jitMsPerRecord(),
                    f.jobs().refused());
            result.row(
                    prefix + "Kafka relay, parallelism 1",
                    f.relay().steadyRate(),
                    f.relay().endToEndRate(),
                    f.relay().cpuMsPerRecord(),
                    f.relay().jitMsPerRecord(),
                    f.relay().refused());
            String key =
                    "web_"
                            + size
                            + "_"
                            + (f.firstInterval() ? "" : "cp" + f.checkpointMs() + "ms_");
            result.put(key + "plain_records_per_s", f.plainRate())
                    .put(key + "full_decode_records_per_s", f.fullDecodeRate())
                    .put(key + "plain_over_full_decode", f.plainRate() / f.fullDecodeRate())
                    .put(key + "jobs_cpu_ms_per_record", f.jobs().cpuMsPerRecord())
                    .put(key + "relay_cpu_ms_per_record", f.relay().cpuMsPerRecord())
                    .put(key + "jobs_work_cpu_ms_per_record", f.jobs().workCpuMsPerRecord())
                    .put(key + "relay_work_cpu_ms_per_record", f.relay().workCpuMsPerRecord())
                    .put(key + "jobs_jit_ms_per_record", f.jobs().jitMsPerRecord())
                    .put(key + "relay_jit_ms_per_record", f.relay().jitMsPerRecord())
                    .put(key + "jobs_over_plain_plus_relay", f.overheadRatio())
                    .put(key + "jobs_over_plain_plus_relay_gross", f.overheadRatioGross())
                    .put(key + "jobs_cpu_ms_per_record_by_category", f.jobs().categories())
                    .put(key + "relay_cpu_ms_per_record_by_category", f.relay().categories())
                    .put(key + "jobs_beyond_idle_by_category", f.jobs().workCategories())
                    .put(key + "relay_beyond_idle_by_category", f.relay().workCategories())
                    .put(key + "warmup_batches", f.warmupBatches())
                    .put(key + "checkpoint_ms", f.checkpointMs())
                    .put(key + "records_per_s_per_core", 1000.0 / f.jobs().workCpuMsPerRecord())
                    .put(key + "example_bytes_rgb", f.rawExampleBytes())
                    .put(key + "example_bytes_png", f.pngExampleBytes())
                    .put(key + "example_image_bytes_jpeg_q90", f.jpegImageBytes())
                    .note(
                            String.format(
                                    Locale.ROOT,
                                    "web %s%s: %d JPEGs of %.0f KB on average (q60-95, a third"
                                            + " progressive, a fifth with EXIF orientation), %d"
                                            + " warm-up batches, checkpoints every %d ms; plain curate+build %.0f/s against"
                                            + " %.0f/s with ImageIO full decodes: %.2fx; jobs %.2f"
                                            + " CPU ms/record of work (beyond the idle jobs, no"
                                            + " JIT, no benchmark threads; %.2f in all, JIT %.2f)"
                                            + " against plain %.2f + relay %.2f (%.2f in all) ="
                                            + " %.2fx (%.2fx in all); %.0f records/s per core"
                                            + " (CPU-bound, %d CPUs); example on `examples` %.0f"
                                            + " bytes RGB8, %.0f PNG; its image as JPEG q90 %.0f"
                                            + " bytes",
                                    size,
                                    interval,
                                    f.records(),
                                    f.encodedKb(),
                                    f.warmupBatches(),
                                    f.checkpointMs(),
                                    f.plainRate(),
                                    f.fullDecodeRate(),
                                    f.plainRate() / f.fullDecodeRate(),
                                    f.jobs().workCpuMsPerRecord(),
                                    f.jobs().cpuMsPerRecord(),
                                    f.jobs().jitMsPerRecord(),
                                    f.plainMs(),
                                    f.relay().workCpuMsPerRecord(),
                                    f.relay().cpuMsPerRecord(),
                                    f.overheadRatio(),
                                    f.overheadRatioGross(),
                                    1000.0 / f.jobs().workCpuMsPerRecord(),
                                    cores,
                                    f.rawExampleBytes(),
                                    f.pngExampleBytes(),
                                    f.jpegImageBytes()))
                    .note(
                            "web "
                                    + size
                                    + interval
                                    + ", CPU ms/record by category, beyond the idle jobs (in"
                                    + " all): jobs "
                                    + DatapathReport.byCategory(f.jobs(), "%.2f")
                                    + "; relay "
                                    + DatapathReport.byCategory(f.relay(), "%.2f"));
        }
    }
}
