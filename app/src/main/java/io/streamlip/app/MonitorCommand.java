package io.streamlip.app;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.streamlip.monitor.DashboardServer;
import io.streamlip.monitor.MetricsServer;
import io.streamlip.monitor.Monitor;
import io.streamlip.monitor.MonitorConfig;
import io.streamlip.monitor.MonitorJson;
import io.streamlip.monitor.MonitorMetrics;
import io.streamlip.monitor.Snapshot;
import io.streamlip.monitor.SnapshotText;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamlip monitor}: the pipeline's topics, consumer lag (Burrow's rules), rejects and
 * trainer, refreshed on the terminal, as a dashboard and as Prometheus metrics; {@code --once
 * --json} prints one snapshot for scripts and alerting.
 */
@Command(
        name = "monitor",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Watch a running pipeline's Kafka: per topic partitions, end offsets, messages/s and"
                    + " bytes/s (growth of the broker's log size); per consumer group the lag of"
                    + " each partition and a status by Burrow's rules (OK, WARN, STALL, STOP, ERR;"
                    + " no thresholds); rejects by stage and reason; the trainer's step, loss,"
                    + " examples/s, freshness and latest evaluation. Refreshes every --interval"
                    + " and serves a dashboard on --bind:--dashboard-port. A broker that is down"
                    + " is reported and retried.",
            ""
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:done (--once: Kafka answered)",
            "1:bad options or failure",
            "2:--once: Kafka did not answer within --wait"
        })
final class MonitorCommand implements Callable<Integer> {
    private static final MonitorConfig DEFAULTS = MonitorConfig.defaults();

    @Mixin KafkaOptions kafka;

    @Option(names = "--once", description = "Take one snapshot, print it and exit.")
    boolean once;

    @Option(
            names = "--json",
            description = "Print JSON: one object with --once, else one line per refresh.")
    boolean json;

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            description = "Seconds between refreshes (default: ${DEFAULT-VALUE}).")
    double interval = DEFAULTS.interval().toMillis() / 1000.0;

    @Option(
            names = "--window",
            paramLabel = "N",
            description =
                    "Commits per partition in the lag evaluation window (Burrow's intervals;"
                            + " default: ${DEFAULT-VALUE}).")
    int window = DEFAULTS.window();

    @Option(
            names = "--history",
            paramLabel = "DIR",
            description =
                    "RocksDB folder of the snapshot history (lag and throughput over time; the lag"
                            + " windows resume from it). Default: monitor-history, or none with"
                            + " --once.")
    Path history;

    @Option(names = "--no-history", description = "Keep no history on disk.")
    boolean noHistory;

    @Option(
            names = "--retention-hours",
            paramLabel = "H",
            description = "Hours of history to keep (default: ${DEFAULT-VALUE}).")
    double retentionHours = DEFAULTS.retention().toHours();

    @Option(
            names = "--trainer-metrics",
            paramLabel = "FILE",
            description = "The trainer's JSON-lines metrics file, read for its newest figures.")
    Path trainerMetrics;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description =
                    "Address the dashboard and metrics endpoint listen on (default:"
                            + " ${DEFAULT-VALUE}, this machine only).")
    String bind = "127.0.0.1";

    @Option(
            names = "--dashboard-port",
            paramLabel = "PORT",
            description = "Port of the web dashboard (default: ${DEFAULT-VALUE}; 0: any free one).")
    int dashboardPort = 8470;

    @Option(names = "--no-dashboard", description = "Serve no dashboard.")
    boolean noDashboard;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Serve Prometheus metrics (kafka_exporter names: kafka_consumergroup_lag, ...)"
                            + " at http://ADDRESS:PORT/metrics (default: off).")
    Integer metricsPort;

    @Option(
            names = "--wait",
            paramLabel = "SECONDS",
            description =
                    "With --once: how long to keep trying a broker that does not answer"
                            + " (default: ${DEFAULT-VALUE}).")
    double waitSeconds = 30;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (interval <= 0 || waitSeconds < 0 || window < 2) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--interval must be positive, --wait not negative, --window at least 2");
        }
        Path historyDir =
                noHistory
                        ? null
                        : history != null ? history : once ? null : Path.of("monitor-history");
        MonitorConfig config =
                MonitorConfig.builder()
                        .interval(Duration.ofMillis(Math.round(interval * 1000)))
                        .window(window)
                        .historyDir(historyDir)
                        .retention(Duration.ofMillis(Math.round(retentionHours * 3.6e6)))
                        .trainerMetricsFile(trainerMetrics)
                        .build();
        try (Monitor monitor = new Monitor(kafka.clients(), kafka.topics(), config)) {
            return once ? once(monitor) : watch(monitor);
        }
    }

    /** Two snapshots a second apart (so rates are known); exit 2 when Kafka never answers. */
    private int once(Monitor monitor) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        long deadline = System.nanoTime() + Math.round(waitSeconds * 1e9);
        Snapshot s = monitor.refresh();
        while (!s.reachable() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            s = monitor.refresh();
        }
        if (!s.reachable()) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "streamlip monitor: Kafka at %s did not answer within %.0f s: %s%n",
                            s.bootstrap(), waitSeconds, s.error());
            if (json) {
                out.println(MonitorJson.pretty(s));
                out.flush();
            }
            return 2;
        }
        Thread.sleep(1000);
        Snapshot second = monitor.refresh();
        if (second.reachable()) {
            s = second;
        }
        out.println(json ? MonitorJson.pretty(s) : SnapshotText.render(s));
        out.flush();
        return 0;
    }

    private int watch(Monitor monitor) throws Exception {
        InetAddress address = InetAddress.getByName(bind);
        DashboardServer dashboard = null;
        MetricsServer metrics = null;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(stopped::countDown, "streamlip-monitor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!noDashboard) {
                dashboard = DashboardServer.start(monitor, address, dashboardPort);
                spec.commandLine().getErr().println("dashboard: " + dashboard.url());
            }
            if (metricsPort != null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                registry.register(new MonitorMetrics(monitor::latest));
                metrics = MetricsServer.start(registry, address, metricsPort);
                spec.commandLine().getErr().println("metrics: " + metrics.url());
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean terminal = System.console() != null && !json;
            long every = monitor.config().interval().toMillis();
            do {
                Snapshot s = monitor.refresh();
                if (json) {
                    out.println(MonitorJson.write(s));
                } else {
                    out.print(terminal ? "\033[H\033[2J" : "\n");
                    out.print(SnapshotText.render(s));
                }
                out.flush();
            } while (!stopped.await(every, TimeUnit.MILLISECONDS));
        } finally {
            if (dashboard != null) {
                dashboard.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // exiting through the hook
            }
        }
        return 0;
    }
}
