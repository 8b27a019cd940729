package io.streamlip.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor as a web page: a static page (HTML, CSS and a small script of our own that draws SVG
 * charts; nothing is loaded from elsewhere) and the JSON endpoints it polls:
 *
 * <ul>
 *   <li>{@code GET /api/snapshot}: the newest {@link Snapshot} (503 before the first)
 *   <li>{@code GET /api/history?seconds=N&points=P}: {@link HistorySeries} of the last N seconds
 *       (default 1800, at most the history's retention), downsampled to at most P points (default
 *       {@value #DEFAULT_HISTORY_POINTS}, at most {@value #MAX_HISTORY_POINTS}; {@link
 *       HistoryDownsampler} says how each series is reduced)
 *   <li>{@code GET /api/curves}: the trainer's {@link TrainerPoint}s
 *   <li>{@code GET /api/config}: the refresh interval in milliseconds
 * </ul>
 *
 * Bound to one address, loopback unless told otherwise; answers GET and HEAD only, serves only its
 * own fixed set of files from the classpath, and answers only requests whose {@code Host} names it
 * ({@link HostCheck}: loopback names, the bound address and configured names); others get {@code
 * 421 Misdirected Request}.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final String RESOURCES = "/io/streamlip/monitor/dashboard/";
    private static final Map<String, String> FILES =
            Map.of(
                    "/", "index.html",
                    "/index.html", "index.html",
                    "/dashboard.js", "dashboard.js",
                    "/dashboard.css", "dashboard.css");
    private static final long DEFAULT_HISTORY_SECONDS = 1800;
    // the monitor clamps the window to its retention; this only keeps the arithmetic finite
    private static final long MAX_SECONDS = 366L * 86_400;

    /** Points of {@code /api/history} when the request names none. */
    public static final int DEFAULT_HISTORY_POINTS = 600;

    /** The most points {@code /api/history} returns, whatever the request asks. */
    public static final int MAX_HISTORY_POINTS = 2000;

    private final Monitor monitor;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HostCheck hosts;

    private DashboardServer(
            Monitor monitor, HttpServer server, ExecutorService executor, HostCheck hosts) {
        this.monitor = monitor;
        this.server = server;
        this.executor = executor;
        this.hosts = hosts;
    }

    /** Serves {@code monitor} on {@code address:port} (port 0: a free one). */
    public static DashboardServer start(Monitor monitor, InetAddress address, int port) {
        return start(monitor, address, port, List.of());
    }

    /**
     * Serves {@code monitor} on {@code address:port} (port 0: a free one), also answering requests
     * whose Host is one of {@code allowedHosts} (names or address literals, without port).
     */
    public static DashboardServer start(
            Monitor monitor, InetAddress address, int port, Collection<String> allowedHosts) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve the dashboard on " + address.getHostAddress() + ":" + port, e);
        }
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "streamlip-dashboard");
                            t.setDaemon(true);
                            return t;
                        });
        HostCheck hosts = HostCheck.forBind(address, server.getAddress().getPort(), allowedHosts);
        DashboardServer dashboard = new DashboardServer(monitor, server, executor, hosts);
        server.createContext("/", dashboard::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("dashboard on {}", dashboard.url());
        return dashboard;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's URL. */
    public String url() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port() + "/";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!hosts.allows(exchange.getRequestHeaders().getFirst("Host"))) {
                send(
                        exchange,
                        421,
                        "text/plain",
                        "misdirected request: address this dashboard as localhost, 127.0.0.1,"
                                + " [::1] or its --bind address\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, "text/plain", "GET only\n");
                return;
            }
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            switch (path) {
                case "/api/snapshot" -> {
                    Snapshot s = monitor.latest();
                    if (s == null) {
                        send(exchange, 503, "application/json", "{\"error\":\"no snapshot yet\"}");
                    } else {
                        send(exchange, 200, "application/json", MonitorJson.write(s));
                    }
                }
                case "/api/history" -> {
                    Map<String, String> query = query(uri.getRawQuery());
                    long seconds =
                            number(query.get("seconds"), DEFAULT_HISTORY_SECONDS, 1, MAX_SECONDS);
                    int points =
                            (int)
                                    number(
                                            query.get("points"),
                                            DEFAULT_HISTORY_POINTS,
                                            2,
                                            MAX_HISTORY_POINTS);
                    send(
                            exchange,
                            200,
                            "application/json",
                            MonitorJson.write(
                                    monitor.history(Duration.ofSeconds(seconds), points)));
                }
                case "/api/curves" ->
                        send(
                                exchange,
                                200,
                                "application/json",
                                MonitorJson.write(monitor.trainerCurve()));
                case "/api/config" ->
                        send(
                                exchange,
                                200,
                                "application/json",
                                "{\"refreshMillis\":"
                                        + monitor.config().interval().toMillis()
                                        + "}");
                default -> serveFile(exchange, path);
            }
        } catch (RuntimeException e) {
            LOG.warn("dashboard request {} failed", exchange.getRequestURI(), e);
        }
    }

    /** The query's parameters (first value of each; at most a few, each short). */
    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.length() > 1000) {
            return out;
        }
        for (String part : raw.split("&", 16)) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    /** {@code text} as a number clamped to [min, max]; {@code fallback} when absent or bad. */
    private static long number(String text, long fallback, long min, long max) {
        if (text == null) {
            return fallback;
        }
        try {
            return Math.max(min, Math.min(Long.parseLong(text), max));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void serveFile(HttpExchange exchange, String path) throws IOException {
        String name = FILES.get(path);
        if (name == null) {
            send(exchange, 404, "text/plain", "not found\n");
            return;
        }
        byte[] body;
        try (InputStream in = DashboardServer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                send(exchange, 500, "text/plain", "missing resource " + name + "\n");
                return;
            }
            body = in.readAllBytes();
        }
        String type =
                name.endsWith(".html")
                        ? "text/html; charset=utf-8"
                        : name.endsWith(".js")
                                ? "text/javascript; charset=utf-8"
                                : "text/css; charset=utf-8";
        send(exchange, 200, type, body);
    }

    private static void send(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        String t = type.contains("charset") ? type : type + "; charset=utf-8";
        send(exchange, status, t, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
