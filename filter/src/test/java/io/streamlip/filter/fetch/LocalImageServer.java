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
 * requests per path and the most requests it ever served at once.
 */
public final class LocalImageServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

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
                    try {
                        handler.handle(exchange);
                    } catch (Exception e) {
                        // the client went away: what the tests provoke
                    } finally {
                        running.decrementAndGet();
                        exchange.close();
                    }
                });
        return this;
    }

    /** The URL of {@code path} on this server. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests {@code path} received. */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** The most requests the server handled at once. */
    public int mostAtOnce() {
        return mostAtOnce.get();
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
