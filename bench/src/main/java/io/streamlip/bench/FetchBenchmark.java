package io.streamlip.bench;

import com.sun.net.httpserver.HttpServer;
import io.streamlip.filter.fetch.FetchConfig;
import io.streamlip.filter.fetch.ImageFetcher;
import io.streamlip.platform.image.Images;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code streamlip bench fetch}: requests per second of the fetch stage's {@link ImageFetcher} at
 * 1, 8 and 64 concurrent fetches (the async stage's capacity) against an HTTP server on loopback
 * that answers each request after {@value #DELAY_MS} ms. A stage that overlaps its waits reaches
 * close to {@code concurrency / delay}; one that blocked a thread per request would need as many
 * threads, and the fetcher has a fixed few. The server has a thread per request (it is not what is
 * measured).
 */
public final class FetchBenchmark implements Benchmark {
    /** The server's delay before each answer. */
    static final int DELAY_MS = 50;

    @Override
    public String name() {
        return "fetch";
    }

    @Override
    public String description() {
        return "fetches/s at 1, 8 and 64 concurrent requests against a local server with a "
                + DELAY_MS
                + " ms delay";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        byte[] image = png();
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        ExecutorService serverThreads = Executors.newFixedThreadPool(160);
        server.setExecutor(serverThreads);
        server.createContext(
                "/",
                x -> {
                    try {
                        Thread.sleep(DELAY_MS);
                        x.getResponseHeaders().set("Content-Type", "image/png");
                        x.sendResponseHeaders(200, image.length);
                        try (OutputStream out = x.getResponseBody()) {
                            out.write(image);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        x.close();
                    }
                });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/img/";
        BenchResult result =
                new BenchResult(
                        "fetch: " + image.length + "-byte PNGs, server delay " + DELAY_MS + " ms",
                        List.of(
                                "concurrent",
                                "requests",
                                "fetches/s",
                                "ideal/s",
                                "of ideal",
                                "x 1 concurrent",
                                "p50 ms",
                                "p99 ms",
                                "failed",
                                "fetcher threads"));
        double single = 1;
        try {
            for (int concurrency : List.of(1, 8, 64)) {
                FetchConfig config =
                        FetchConfig.builder()
                                .allowedNetworks(List.of("127.0.0.0/8"))
                                .perHostConcurrency(concurrency)
                                .maxInFlight(concurrency)
                                .build();
                int requests =
                        options.quick()
                                ? Math.max(10, concurrency * 2)
                                : Math.max(100, concurrency * 30);
                try (ImageFetcher fetcher = new ImageFetcher(config)) {
                    run(fetcher, base, concurrency, Math.min(requests, 2 * concurrency + 5));
                    Run run = run(fetcher, base, concurrency, requests);
                    long fetcherThreads = fetcherThreads();
                    double ideal = concurrency * 1000.0 / DELAY_MS;
                    if (concurrency == 1) {
                        single = run.perSecond();
                    }
                    result.row(
                            concurrency,
                            requests,
                            run.perSecond(),
                            ideal,
                            String.format(Locale.ROOT, "%.2f", run.perSecond() / ideal),
                            String.format(Locale.ROOT, "%.1f", run.perSecond() / single),
                            run.percentile(0.50),
                            run.percentile(0.99),
                            run.failed(),
                            fetcherThreads);
                    result.put("fetches_per_second_" + concurrency, run.perSecond());
                    result.put("failed_" + concurrency, run.failed());
                }
            }
        } finally {
            server.stop(0);
            serverThreads.shutdownNow();
        }
        result.note(
                "ideal = concurrency / delay; fetcher threads: the live threads of the fetcher"
                        + " (2 HTTP, a timer, DNS workers as lookups need them, at most 16) and the"
                        + " HTTP client's selector, whatever the concurrency; "
                        + Runtime.getRuntime().availableProcessors()
                        + " CPUs; wall-clock rates, so other load on the machine lowers them");
        return result;
    }

    /** The fetcher's threads alive now (named {@code fetch-*}) and the HTTP client's selector. */
    private static long fetcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.startsWith("fetch-") || n.contains("SelectorManager"))
                .count();
    }

    /** One measured run of {@code requests} fetches, {@code concurrency} at a time. */
    private static Run run(ImageFetcher fetcher, String base, int concurrency, int requests)
            throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        long[] latencies = new long[requests];
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            slots.acquire();
            int index = i;
            long start = System.nanoTime();
            fetcher.fetch(base + i + ".png")
                    .whenComplete(
                            (verdict, error) -> {
                                latencies[index] = System.nanoTime() - start;
                                if (error != null || !verdict.accepted()) {
                                    failed.incrementAndGet();
                                }
                                done.incrementAndGet();
                                slots.release();
                            });
        }
        slots.acquire(concurrency); // every fetch has finished
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(requests / seconds, latencies, failed.get());
    }

    private record Run(double perSecond, long[] latencies, int failed) {
        double percentile(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int at = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
            return sorted[Math.max(0, at)] / 1e6;
        }
    }

    private static byte[] png() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x ^ y) * 4));
            }
        }
        return Images.png(img);
    }
}
