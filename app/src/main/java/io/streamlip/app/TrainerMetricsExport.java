package io.streamlip.app;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.streamlip.monitor.MetricsServer;
import io.streamlip.monitor.TrainerMetrics;
import io.streamlip.trainer.TrainingProgress;
import java.net.InetAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A trainer's progress as Prometheus metrics: polls {@link TrainingProgress} once a second into
 * {@link TrainerMetrics} and serves them on a {@link MetricsServer}.
 */
final class TrainerMetricsExport implements AutoCloseable {
    private final MetricsServer server;
    private final ScheduledExecutorService poller;

    private TrainerMetricsExport(MetricsServer server, ScheduledExecutorService poller) {
        this.server = server;
        this.poller = poller;
    }

    static TrainerMetricsExport start(
            Supplier<TrainingProgress> progress, InetAddress address, int port) {
        PrometheusRegistry registry = new PrometheusRegistry();
        TrainerMetrics metrics = new TrainerMetrics(registry);
        ScheduledExecutorService poller =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "streamlip-trainer-metrics");
                            t.setDaemon(true);
                            return t;
                        });
        Runnable update = () -> push(metrics, progress.get());
        update.run();
        poller.scheduleAtFixedRate(update, 1, 1, TimeUnit.SECONDS);
        try {
            return new TrainerMetricsExport(MetricsServer.start(registry, address, port), poller);
        } catch (RuntimeException e) {
            poller.shutdownNow();
            throw e;
        }
    }

    static void push(TrainerMetrics metrics, TrainingProgress p) {
        metrics.update(
                p.step(),
                p.examplesSeen(),
                p.loss(),
                p.examplesPerSecond(),
                p.temperature(),
                p.bias(),
                p.skippedRecords());
        metrics.freshness(p.freshnessP50Millis() / 1000.0, p.freshnessP95Millis() / 1000.0);
    }

    String url() {
        return server.url();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        server.close();
    }
}
