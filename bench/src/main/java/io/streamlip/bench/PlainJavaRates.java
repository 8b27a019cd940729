package io.streamlip.bench;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.tokenize.TokenizeConfig;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records/s of the jobs' work on {@code pairs} in plain Java, without Kafka or Flink: the limit the
 * jobs are set against. The curation is timed on the records the jobs get ({@link
 * PipelineRun#relabel}: their captions carry a suffix per copy, which brings more of them to the
 * length from which the language check asks Lingua). Each rate is the best of {@value #PASSES}
 * passes, since other processes share the CPUs.
 */
final class PlainJavaRates {
    static final int PASSES = 3;

    private final List<RawPair> pairs;
    private final List<RawPair> asTheJobsGetThem;
    private final List<byte[]> images;
    private final FilterConfig filter;
    private final TokenizeConfig tokenize;

    PlainJavaRates(List<RawPair> pairs, FilterConfig filter, TokenizeConfig tokenize) {
        this.pairs = List.copyOf(pairs);
        this.asTheJobsGetThem = measuredCopy(pairs);
        this.images = pairs.stream().map(p -> bytes(p.getImage())).toList();
        this.filter = filter;
        this.tokenize = tokenize;
    }

    /**
     * The decode+resize limit in one thread and in {@code pairThreads}.
     *
     * @param oneThread records/s in one thread
     * @param pairThreads records/s in {@code threads} threads
     * @param threads the threads of {@code pairThreads}
     */
    record Limits(double oneThread, double pairThreads, int threads) {
        /** The faster of two measurements of each: the limit is a ceiling. */
        Limits best(Limits other) {
            return new Limits(
                    Math.max(oneThread, other.oneThread),
                    Math.max(pairThreads, other.pairThreads),
                    threads);
        }
    }

    /** Measures {@link #decodeResize} in one thread, then in {@code pairThreads}. */
    Limits decodeResizeLimits(int pairThreads) {
        double oneThread = decodeResize(1);
        return new Limits(oneThread, decodeResize(pairThreads), pairThreads);
    }

    /**
     * Decoding and resizing the images to the examples' size in {@code threads} threads, each
     * taking every {@code threads}-th image: the limit of the image work on these cores.
     */
    double decodeResize(int threads) {
        int exampleSize = tokenize.imageSize();
        return best(
                images.size(),
                () -> {
                    List<Thread> workers = new ArrayList<>();
                    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                    for (int w = 0; w < threads; w++) {
                        int first = w;
                        Thread worker =
                                new Thread(
                                        () -> {
                                            ImagePreprocessor preprocessor =
                                                    new ImagePreprocessor(exampleSize);
                                            for (int i = first; i < images.size(); i += threads) {
                                                try {
                                                    preprocessor.process(images.get(i));
                                                } catch (Images.UndecodableImageException e) {
                                                    failures.add(e);
                                                    return;
                                                }
                                            }
                                        },
                                        "bench-limit-" + w);
                        worker.start();
                        workers.add(worker);
                    }
                    for (Thread worker : workers) {
                        try {
                            worker.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException(failures.get(0));
                    }
                });
    }

    /**
     * Curating each pair and building its example, in one thread, as the jobs do: each image
     * decoded once per job, a JPEG at the smallest DCT scale its consumers need.
     */
    double curateAndBuild() {
        return curateAndBuild(
                new PairCurator(filter), new ExampleBuilder(tokenize, tokenize.tokenizer()));
    }

    /**
     * {@link #curateAndBuild()} with every image decoded at full size by ImageIO in both steps: the
     * reference the reduced decoding is set against, measured in the same run.
     */
    double curateAndBuildFullDecode() {
        return curateAndBuild(
                new PairCurator(filter, Integer.MAX_VALUE),
                new ExampleBuilder(
                        tokenize,
                        tokenize.tokenizer(),
                        new ImagePreprocessor(tokenize.imageSize()).withFullDecode()));
    }

    /**
     * Records per second of CPU time: this thread's, plus that of the threads working for it over
     * the pass ({@link ThreadCpu#helperNanos}): the garbage collector's and the VM thread's (the
     * garbage this work makes is its cost), and the common fork-join pool's workers, which run part
     * of Lingua's scoring of each caption that reaches it. The jobs' CPU counts all of these too.
     * Not wall time: on a shared machine the wall clock also counts the time other processes held
     * the cores. Not the JIT compiler's: the passes before the best one warm it, as the warm-up
     * batches do for the jobs, whose figure is set against this one without it.
     */
    private double curateAndBuild(PairCurator curator, ExampleBuilder builder) {
        return bestCpu(
                asTheJobsGetThem.size(),
                () -> {
                    for (RawPair pair : asTheJobsGetThem) {
                        CuratedPair curated = curator.curate(pair, Instant.now()).value();
                        builder.build(curated).value();
                    }
                });
    }

    /**
     * {@link #curateAndBuild()} with the filter job's deduplication between the two steps ({@link
     * CurationBenchmark.Curation}: exact duplicates, then near duplicates, in memory), over the
     * stream the jobs get: {@code warmupBatches} relabelled copies of the pairs fill the indexes
     * untimed, as the warm-up batches fill the jobs' state, then {@code measuredCopies} copies are
     * timed. The jobs' figure does this work too; the one above does not.
     */
    double curateDeduplicateAndBuild(int warmupBatches, int measuredCopies) {
        List<RawPair> fill = new ArrayList<>();
        for (int i = 1; i <= warmupBatches; i++) {
            fill.addAll(PipelineRun.relabel(pairs, PipelineRun.warmupLabel(i)));
        }
        List<RawPair> stream = new ArrayList<>();
        for (int i = 1; i <= measuredCopies; i++) {
            stream.addAll(PipelineRun.relabel(pairs, PipelineRun.measuredLabel(i)));
        }
        ExampleBuilder builder = new ExampleBuilder(tokenize, tokenize.tokenizer());
        java.lang.management.ThreadMXBean threads =
                java.lang.management.ManagementFactory.getThreadMXBean();
        double best = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            CurationBenchmark.Curation curation = new CurationBenchmark.Curation(filter);
            fill.forEach(curation::apply);
            long helpers = ThreadCpu.helperNanos();
            long t = threads.getCurrentThreadCpuTime();
            for (RawPair pair : stream) {
                if (curation.apply(pair) instanceof Verdict.Accepted<CuratedPair> kept) {
                    builder.build(kept.value()).value();
                }
            }
            long nanos =
                    threads.getCurrentThreadCpuTime() - t + (ThreadCpu.helperNanos() - helpers);
            best = Math.max(best, stream.size() / (nanos / 1e9));
        }
        return best;
    }

    /**
     * The first measured copy of {@code pairs} as the jobs get it: the curation's cost depends on
     * the captions, and the jobs' carry a suffix.
     */
    static List<RawPair> measuredCopy(List<RawPair> pairs) {
        return PipelineRun.relabel(pairs, PipelineRun.measuredLabel(1));
    }

    private static double best(int n, Runnable pass) {
        double best = 0;
        for (int i = 0; i < PASSES; i++) {
            long t = System.nanoTime();
            pass.run();
            best = Math.max(best, n / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }

    private static double bestCpu(int n, Runnable pass) {
        java.lang.management.ThreadMXBean threads =
                java.lang.management.ManagementFactory.getThreadMXBean();
        double best = 0;
        for (int i = 0; i < PASSES; i++) {
            long helpers = ThreadCpu.helperNanos();
            long t = threads.getCurrentThreadCpuTime();
            pass.run();
            long nanos =
                    threads.getCurrentThreadCpuTime() - t + (ThreadCpu.helperNanos() - helpers);
            best = Math.max(best, n / (nanos / 1e9));
        }
        return best;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
