package io.streamlip.bench;

import io.streamlip.filter.blocklist.PhashIndex;
import io.streamlip.filter.config.BlocklistConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code streamlip bench phash-index}: perceptual-hash lookups per second of the image blocklist,
 * the multi-index {@link PhashIndex} against the linear scan it replaced, for 10k, 100k and 1M
 * listed hashes at the default distance. Half the queries are near copies of a listed hash (within
 * the distance, so they match), half random hashes (which match nothing). Rates are per CPU second
 * of the measuring thread, so other load on the machine changes them little.
 */
public final class PhashIndexBenchmark implements Benchmark {

    @Override
    public String name() {
        return "phash-index";
    }

    @Override
    public String description() {
        return "lookups/s of the image blocklist's pHash index vs a linear scan, 10k-1M hashes";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        int distance = BlocklistConfig.DEFAULT_MAX_PHASH_DISTANCE;
        List<Integer> sizes =
                options.quick() ? List.of(1_000, 10_000) : List.of(10_000, 100_000, 1_000_000);
        BenchResult result =
                new BenchResult(
                        "phash-index: blocklist pHash lookups, max distance " + distance,
                        List.of(
                                "hashes",
                                "method",
                                "lookups",
                                "matched",
                                "lookups/s (CPU)",
                                "µs/lookup",
                                "build ms",
                                "heap MiB"));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int n : sizes) {
            Random random = new Random(n);
            long[] listed = new long[n];
            for (int i = 0; i < n; i++) {
                listed[i] = random.nextLong();
            }
            int queries = options.quick() ? 2_000 : 200_000;
            long[] query = new long[queries];
            for (int q = 0; q < queries; q++) {
                query[q] =
                        q % 2 == 0
                                ? flip(
                                        listed[random.nextInt(n)],
                                        random.nextInt(distance + 1),
                                        random)
                                : random.nextLong();
            }

            System.gc();
            long heapBefore = usedHeap();
            long t0 = System.nanoTime();
            PhashIndex index = new PhashIndex(distance);
            for (long h : listed) {
                index.add(h);
            }
            double buildMs = (System.nanoTime() - t0) / 1e6;
            System.gc();
            double heapMiB = (usedHeap() - heapBefore) / (1024.0 * 1024.0);

            // Warm up, then time.
            int warm = Math.min(queries, 20_000);
            long sink = 0;
            for (int q = 0; q < warm; q++) {
                sink += index.nearest(query[q]).orElse(0);
            }
            long c0 = cpu.getCurrentThreadCpuTime();
            int matched = 0;
            for (int q = 0; q < queries; q++) {
                matched += index.nearest(query[q]).isPresent() ? 1 : 0;
            }
            double seconds = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            result.row(
                    n,
                    "index",
                    queries,
                    matched,
                    queries / seconds,
                    1e6 * seconds / queries,
                    buildMs,
                    heapMiB);
            result.put("index_" + n + "_lookups_per_second", queries / seconds);

            // The linear scan: fewer queries where each costs n popcounts.
            int linearQueries = (int) Math.max(200, Math.min(queries, 2_000_000_000L / n / 10));
            for (int q = 0; q < Math.min(linearQueries, 200); q++) {
                sink += linear(listed, query[q], distance);
            }
            c0 = cpu.getCurrentThreadCpuTime();
            int linearMatched = 0;
            for (int q = 0; q < linearQueries; q++) {
                linearMatched += linear(listed, query[q], distance) >= 0 ? 1 : 0;
            }
            seconds = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
            result.row(
                    n,
                    "linear scan",
                    linearQueries,
                    linearMatched,
                    linearQueries / seconds,
                    1e6 * seconds / linearQueries,
                    0.0,
                    n * 8 / (1024.0 * 1024.0));
            result.put("linear_" + n + "_lookups_per_second", linearQueries / seconds);
            if (sink == 42) {
                result.note("");
            }
        }
        result.note(
                String.format(
                        Locale.ROOT,
                        "uniform random 64-bit hashes; queries: half a listed hash with up to %d bits"
                                + " flipped, half random; one thread, CPU time; heap MiB is the"
                                + " index's (after GC), the linear scan's is its array; %d CPUs",
                        distance,
                        Runtime.getRuntime().availableProcessors()));
        return result;
    }

    /** The first listed hash within {@code distance} bits of {@code query}: what Blocklist did. */
    static int linear(long[] listed, long query, int distance) {
        for (int i = 0; i < listed.length; i++) {
            if (Long.bitCount(listed[i] ^ query) <= distance) {
                return i;
            }
        }
        return -1;
    }

    static long flip(long hash, int bits, Random random) {
        long mask = 0;
        while (Long.bitCount(mask) < bits) {
            mask |= 1L << random.nextInt(64);
        }
        return hash ^ mask;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
