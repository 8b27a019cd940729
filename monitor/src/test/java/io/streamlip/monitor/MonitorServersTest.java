package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.TemporaryKafka;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard in headless Chromium and the Prometheus endpoint, against a real broker. */
@Tag("integration")
class MonitorServersTest {
    static final PipelineTopics TOPICS = PipelineTopics.defaults().prefixed("srv-");
    static final String GROUP = "streamlip-filter-srv-raw-pairs";
    static final int EXTRA = 10;
    @RegisterExtension static final TemporaryKafka KAFKA = new TemporaryKafka();
    static Monitor monitor;

    @BeforeAll
    static void start() {
        KafkaClients kafka = KAFKA.clients();
        PipelineFixture.populate(kafka, TOPICS, "srv-");
        monitor =
                new Monitor(
                        kafka,
                        TOPICS,
                        MonitorConfig.builder().interval(Duration.ofMillis(250)).window(3).build());
        monitor.refresh();
        PipelineFixture.produceRaw(kafka, TOPICS, EXTRA);
        monitor.refresh();
    }

    @AfterAll
    static void stop() {
        if (monitor != null) {
            monitor.close();
        }
    }

    static final long END = PipelineFixture.RAW + EXTRA;
    static final long LAG = END - PipelineFixture.COMMITTED;

    @Test
    void dashboardShowsLiveFiguresInChromium(@TempDir Path profile) throws Exception {
        Path chromium = HeadlessChromium.find();
        Assumptions.assumeTrue(
                chromium != null, "dashboard test skipped: " + HeadlessChromium.whyMissing());
        try (DashboardServer dashboard =
                DashboardServer.start(monitor, InetAddress.getLoopbackAddress(), 0)) {
            assertThat(dashboard.url()).startsWith("http://127.0.0.1:");
            String dom = HeadlessChromium.dumpDom(chromium, dashboard.url(), 5000, profile);

            assertThat(dom).contains("data-polls=");
            String rawRow = element(dom, "tr", "data-topic=\"srv-raw-pairs\"");
            assertThat(cell(rawRow, "end")).isEqualTo(Long.toString(END));
            assertThat(cell(rawRow, "partitions")).isEqualTo("2");
            String group = element(dom, "tr", "data-group=\"" + GROUP + "\"");
            assertThat(cell(group, "lag")).isEqualTo(Long.toString(LAG));
            assertThat(group).contains("srv-raw-pairs/0: 10 → ");

            String lagLine = element(dom, "path", "data-name=\"" + GROUP + "\"");
            assertThat(attribute(lagLine, "data-last")).isEqualTo(Long.toString(LAG));
            assertThat(Integer.parseInt(attribute(lagLine, "data-points")))
                    .isGreaterThanOrEqualTo(2);
            String throughput = section(dom, "chart-throughput");
            assertThat(throughput).contains("data-name=\"srv-raw-pairs\"");
            String duplicates = element(dom, "rect", "data-name=\"filter duplicate\"");
            assertThat(attribute(duplicates, "data-value")).isEqualTo("3");
            String loss = element(section(dom, "chart-loss"), "path", "data-name=\"loss\"");
            assertThat(attribute(loss, "data-points")).isEqualTo("2");
            assertThat(attribute(loss, "data-last")).isEqualTo("4.5");
            String recall = element(section(dom, "chart-recall"), "path", "data-name=\"i2t_r1\"");
            assertThat(attribute(recall, "data-last")).isEqualTo("0.125");
            assertThat(dom).contains("data-field=\"step\">200<");
            String png = System.getProperty("dashboard.screenshot");
            if (png != null) { // -Ddashboard.screenshot=FILE.png, to look at the page
                HeadlessChromium.screenshot(chromium, dashboard.url(), 5000, profile, Path.of(png));
            }
        }
    }

    @Test
    void dashboardEndpointsAnswerJsonAndRefuseWhatTheyDoNotServe() throws Exception {
        try (DashboardServer dashboard =
                DashboardServer.start(monitor, InetAddress.getLoopbackAddress(), 0)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> snapshot = get(http, dashboard.url() + "api/snapshot");
            assertThat(snapshot.statusCode()).isEqualTo(200);
            assertThat(snapshot.body()).contains("\"group\":\"" + GROUP + "\"");
            assertThat(get(http, dashboard.url() + "api/history?seconds=60").body())
                    .contains("\"lag\":{\"" + GROUP + "\":[");
            assertThat(get(http, dashboard.url() + "../etc/passwd").statusCode()).isEqualTo(404);
            assertThat(get(http, dashboard.url() + "pom.xml").statusCode()).isEqualTo(404);
            HttpResponse<String> post =
                    http.send(
                            HttpRequest.newBuilder(URI.create(dashboard.url() + "api/snapshot"))
                                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void prometheusEndpointServesLagAndTrainerMetrics() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MonitorMetrics(monitor::latest));
        TrainerMetrics trainer = new TrainerMetrics(registry);
        trainer.update(42, 2688, 3.25, 150.5, 10.0, -10.0, 1);
        trainer.freshness(50.0, 95.0);
        try (MetricsServer server =
                MetricsServer.start(registry, InetAddress.getLoopbackAddress(), 0)) {
            assertThat(server.url()).startsWith("http://127.0.0.1:");
            String body = get(HttpClient.newHttpClient(), server.url()).body();
            Map<String, Double> m = parse(body);
            assertThat(m)
                    .containsEntry(
                            "kafka_consumergroup_lag{consumergroup=\""
                                    + GROUP
                                    + "\",partition=\"0\",topic=\"srv-raw-pairs\"}",
                            (double) (END / 2 - 10))
                    .containsEntry(
                            "kafka_consumergroup_lag_sum{consumergroup=\""
                                    + GROUP
                                    + "\",topic=\"srv-raw-pairs\"}",
                            (double) LAG)
                    .containsEntry(
                            "kafka_topic_partition_current_offset{partition=\"1\",topic=\"srv-raw-pairs\"}",
                            (double) (END / 2))
                    .containsEntry("kafka_topic_partitions{topic=\"srv-model-updates\"}", 1.0)
                    .containsEntry(
                            "streamlip_rejects_total{reason=\"duplicate\",stage=\"filter\"}", 3.0)
                    .containsEntry("streamlip_monitor_kafka_up", 1.0)
                    .containsEntry("streamlip_model_update_step", 200.0)
                    .containsEntry("streamlip_trainer_step", 42.0)
                    .containsEntry("streamlip_trainer_loss", 3.25)
                    .containsEntry("streamlip_trainer_examples_per_second", 150.5)
                    .containsEntry("streamlip_trainer_freshness_seconds{quantile=\"0.5\"}", 50.0)
                    .containsEntry("streamlip_trainer_freshness_seconds{quantile=\"0.95\"}", 95.0);
            assertThat(
                            m.get(
                                    "streamlip_consumergroup_status{consumergroup=\""
                                            + GROUP
                                            + "\",status=\""
                                            + monitor.latest().group(GROUP).worstPartition()
                                            + "\"}"))
                    .isEqualTo(1.0);
        }
    }

    /** Prometheus text format: {@code name{labels} value} per sample line. */
    static Map<String, Double> parse(String body) {
        Map<String, Double> out = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The first {@code <tag ...>...</tag>} (or self-contained tag) whose start tag holds {@code
     * attr}.
     */
    static String element(String html, String tag, String attr) {
        Matcher m =
                Pattern.compile(
                                "<"
                                        + tag
                                        + "\\b[^>]*"
                                        + Pattern.quote(attr)
                                        + "[^>]*>(.*?)</"
                                        + tag
                                        + ">",
                                Pattern.DOTALL)
                        .matcher(html);
        assertThat(m.find()).as("<%s %s> in the page", tag, attr).isTrue();
        return m.group();
    }

    /** The part of the page from the element with {@code id} to the end of its figure. */
    static String section(String html, String id) {
        int start = html.indexOf("id=\"" + id + "\"");
        assertThat(start).as("#%s in the page", id).isNotNegative();
        int end = html.indexOf("</figure>", start);
        return html.substring(start, end);
    }

    static String cell(String row, String cls) {
        Matcher m = Pattern.compile("<td class=\"" + cls + "\"[^>]*>([^<]*)</td>").matcher(row);
        assertThat(m.find()).as("cell %s in %s", cls, row).isTrue();
        return m.group(1);
    }

    static String attribute(String element, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(element);
        assertThat(m.find()).as("%s in %s", name, element).isTrue();
        return m.group(1);
    }
}
