package io.streamlip.filter.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's HTTP server on loopback for the fetch tests: handlers by path, with the number of
 * requests per path and the most requests it ever served at once, in all and per host named in the
 * requests ({@code 127.0.0.1} and {@code localhost} reach the same server as two hosts).
 */
public final class LocalImageServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final Map<String, AtomicInteger> runningByHost = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> mostAtOnceByHost = new ConcurrentHashMap<>();

    /** What answers one path. */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    /**
     * @param threads the server's threads: how many slow answers it can hold at once
     */
    public LocalImageServer(int threads) throws IOException {
        this.server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        this.threads = Executors.newFixedThreadPool(threads);
        server.setExecutor(this.threads);
        server.start();
    }

    /** Answers {@code path} (and what lies under it) with {@code handler}. */
    public LocalImageServer on(String path, Handler handler) {
        server.createContext(
                path,
                exchange -> {
                    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                    int now = running.incrementAndGet();
                    mostAtOnce.accumulateAndGet(now, Math::max);
                    String host = host(exchange);
                    AtomicInteger atHost =
                            runningByHost.computeIfAbsent(host, h -> new AtomicInteger());
                    mostAtOnceByHost
                            .computeIfAbsent(host, h -> new AtomicInteger())
                            .accumulateAndGet(atHost.incrementAndGet(), Math::max);
                    try {
                        handler.handle(exchange);
                    } catch (Exception e) {
                        // the client went away: what the tests provoke
                    } finally {
                        atHost.decrementAndGet();
                        running.decrementAndGet();
                        exchange.close();
                    }
                });
        return this;
    }

    /** The URL of {@code path} on this server. */
    public String url(String path) {
        return url("127.0.0.1", path);
    }

    /** The URL of {@code path} on this server through {@code host} ({@code localhost}). */
    public String url(String host, String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    private static String host(com.sun.net.httpserver.HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Host");
        if (header == null) {
            return "";
        }
        int colon = header.lastIndexOf(':');
        return (colon > 0 ? header.substring(0, colon) : header).toLowerCase(java.util.Locale.ROOT);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests {@code path} received. */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Requests in progress now. */
    public int running() {
        return running.get();
    }

    /** The most requests the server handled at once. */
    public int mostAtOnce() {
        return mostAtOnce.get();
    }

    /** The most requests naming {@code host} the server handled at once. */
    public int mostAtOnce(String host) {
        AtomicInteger n = mostAtOnceByHost.get(host);
        return n == null ? 0 : n.get();
    }

    /** Forgets the most-at-once figures (between two jobs of one test). */
    public void resetMostAtOnce() {
        mostAtOnce.set(running.get());
        mostAtOnceByHost.forEach((h, n) -> n.set(runningByHost.get(h).get()));
    }

    /** Sends {@code body} with status 200 and {@code contentType}. */
    public static void send(HttpExchange exchange, String contentType, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sends {@code status} with an empty body and {@code headers} (name, value, ...). */
    public static void status(HttpExchange exchange, int status, String... headers)
            throws IOException {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        exchange.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
