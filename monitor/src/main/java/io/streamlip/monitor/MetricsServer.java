package io.streamlip.monitor;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}) for a registry, bound to one address —
 * loopback unless told otherwise.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HTTPServer server;
    private final InetAddress address;

    private MetricsServer(HTTPServer server, InetAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Starts serving {@code registry} on {@code address:port} (port 0: a free one).
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static MetricsServer start(PrometheusRegistry registry, InetAddress address, int port) {
        try {
            HTTPServer server =
                    HTTPServer.builder()
                            .inetAddress(address)
                            .port(port)
                            .registry(registry)
                            .buildAndStart();
            MetricsServer s = new MetricsServer(server, address);
            LOG.info("Prometheus metrics on {}", s.url());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics on " + address.getHostAddress() + ":" + port, e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** The scrape URL. */
    public String url() {
        String host = address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port() + "/metrics";
    }

    @Override
    public void close() {
        server.close();
    }
}
