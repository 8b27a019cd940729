package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/history} over a week of stored snapshots: a window reads only its own snapshots and a
 * long window comes back downsampled to a bounded number of points, each the mean (rates) or last
 * value (lag) of its bucket.
 */
class DashboardHistoryTest {
    static final String GROUP = "streamlip-filter-raw-pairs";
    static final String TOPIC = "raw-pairs";
    static final long WEEK = Duration.ofDays(7).toMillis();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static final long NOW = 1_800_000_000_000L;
    static final List<Snapshot> STORED = new ArrayList<>();
    static Monitor monitor;
    static DashboardServer dashboard;

    @BeforeAll
    static void start() {
        // A week at one snapshot a minute, then the last five minutes at one a second; a few
        // unreachable snapshots and unknown rates in between.
        List<Long> times = new ArrayList<>();
        for (long t = NOW - WEEK + 30_000; t < NOW - 300_000; t += 60_000) {
            times.add(t);
        }
        for (long t = NOW - 299_500; t <= NOW; t += 1_000) {
            times.add(t);
        }
        try (HistoryStore store = HistoryStore.open(dir.resolve("history"))) {
            for (int i = 0; i < times.size(); i++) {
                Snapshot s =
                        i % 101 == 7
                                ? Snapshot.unreachable(times.get(i), "127.0.0.1:1", "down")
                                : snapshot(times.get(i), i);
                store.append(s);
                STORED.add(s);
            }
        }
        KafkaClients nowhere = KafkaClients.of("127.0.0.1:" + PipelineFixture.closedPort());
        MonitorConfig config =
                MonitorConfig.builder()
                        .historyDir(dir.resolve("history"))
                        .retention(Duration.ofDays(7))
                        .build();
        monitor = new Monitor(nowhere, PipelineTopics.defaults(), config, () -> NOW);
        dashboard = DashboardServer.start(monitor, InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (monitor != null) {
            monitor.close();
        }
    }

    static Snapshot snapshot(long time, int i) {
        double rate = i % 17 == 3 ? Double.NaN : i % 13 + 0.25;
        var topic =
                new Snapshot.TopicStats(
                        TOPIC,
                        1,
                        List.of(0L),
                        List.of((long) i),
                        i,
                        100L * i,
                        rate,
                        10 * (i % 11),
                        Snapshot.BYTES_SOURCE);
        var group =
                new Snapshot.GroupStats(
                        GROUP,
                        "EMPTY",
                        0,
                        LagStatus.OK,
                        LagStatus.OK,
                        (i * 7L) % 1000,
                        0,
                        1.0,
                        List.of());
        return new Snapshot(
                time,
                "127.0.0.1:1",
                true,
                null,
                List.of(topic),
                List.of(group),
                Snapshot.RejectStats.NONE,
                null);
    }

    static JsonNode history(String query) throws Exception {
        RawHttp.Response r =
                RawHttp.get(
                        dashboard.port(), "/api/history?" + query, "127.0.0.1:" + dashboard.port());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    @Test
    void theLastMinuteReturnsExactlyItsOwnSnapshots() throws Exception {
        JsonNode h = history("seconds=60");
        List<Snapshot> minute =
                STORED.stream().filter(s -> s.time() >= NOW - 60_000 && s.reachable()).toList();
        assertThat(minute).hasSizeBetween(55, 60);
        assertThat(longs(h.get("times")))
                .containsExactlyElementsOf(minute.stream().map(Snapshot::time).toList());
        List<Long> lag = longs(h.get("lag").get(GROUP));
        for (int i = 0; i < minute.size(); i++) {
            assertThat(lag.get(i)).isEqualTo(minute.get(i).group(GROUP).totalLag());
        }
    }

    @Test
    void aWeekComesBackAsAtMostTheDefaultPointsWithBucketMeansAndLastValues() throws Exception {
        checkDownsampled(history("seconds=604800"), 600);
    }

    @Test
    void pointsIsHonouredAndCapped() throws Exception {
        checkDownsampled(history("seconds=604800&points=50"), 50);
        JsonNode many = history("seconds=999999999&points=999999");
        assertThat(many.get("times").size())
                .isLessThanOrEqualTo(DashboardServer.MAX_HISTORY_POINTS);
        assertThat(longs(many.get("times")).get(0)).isGreaterThanOrEqualTo(NOW - WEEK);
    }

    @Test
    void theStoreScanVisitsOnlyTheRequestedWindow() {
        int[] visited = {0};
        monitor.history().scan(NOW - 60_000, NOW, s -> visited[0]++);
        assertThat(visited[0])
                .isEqualTo((int) STORED.stream().filter(s -> s.time() >= NOW - 60_000).count());
    }

    /**
     * The oracle: every point is the last snapshot of its bucket, so the snapshots of point {@code
     * i} are those after point {@code i-1}'s time up to its own; rates are the mean of their known
     * values (null when none is known), lag is the last value.
     */
    static void checkDownsampled(JsonNode h, int cap) {
        List<Long> times = longs(h.get("times"));
        assertThat(times).hasSizeBetween(cap / 2, cap).isSorted();
        List<Snapshot> reachable = STORED.stream().filter(Snapshot::reachable).toList();
        assertThat(reachable.stream().map(Snapshot::time).toList()).containsAll(times);
        JsonNode rates = h.get("messagesPerSecond").get(TOPIC);
        JsonNode bytes = h.get("bytesPerSecond").get(TOPIC);
        JsonNode lag = h.get("lag").get(GROUP);
        long previous = Long.MIN_VALUE;
        int checkedNulls = 0;
        for (int i = 0; i < times.size(); i++) {
            long from = previous;
            long to = times.get(i);
            List<Snapshot> bucket =
                    reachable.stream().filter(s -> s.time() > from && s.time() <= to).toList();
            assertThat(bucket).isNotEmpty();
            Map.Entry<Double, Integer> msg = mean(bucket, t -> t.messagesPerSecond());
            if (msg.getValue() == 0) {
                assertThat(rates.get(i).isNull()).isTrue();
                checkedNulls++;
            } else {
                assertThat(rates.get(i).asDouble()).isCloseTo(msg.getKey(), within(1e-9));
            }
            assertThat(bytes.get(i).asDouble())
                    .isCloseTo(mean(bucket, t -> t.bytesPerSecond()).getKey(), within(1e-9));
            assertThat(lag.get(i).asLong())
                    .isEqualTo(bucket.get(bucket.size() - 1).group(GROUP).totalLag());
            previous = to;
        }
        // the first point's bucket starts inside the week
        assertThat(times.get(0)).isGreaterThanOrEqualTo(NOW - WEEK);
        assertThat(checkedNulls).isLessThan(times.size());
    }

    /** Mean of the known (non-NaN) values and how many there were. */
    static Map.Entry<Double, Integer> mean(
            List<Snapshot> bucket, java.util.function.ToDoubleFunction<Snapshot.TopicStats> f) {
        double sum = 0;
        int n = 0;
        for (Snapshot s : bucket) {
            double v = f.applyAsDouble(s.topic(TOPIC));
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return Map.entry(n == 0 ? Double.NaN : sum / n, n);
    }
}
