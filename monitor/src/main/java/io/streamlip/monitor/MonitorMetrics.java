package io.streamlip.monitor;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The monitor's newest {@link Snapshot} as Prometheus metrics, named as kafka_exporter names them
 * ({@code kafka_topic_partition_current_offset}, {@code kafka_consumergroup_lag}, ...) so existing
 * dashboards and alerts (e.g. Strimzi's) apply, plus {@code streamlip_*} metrics for what those
 * exporters do not know: Burrow status, rates, rejects and the published model.
 *
 * <p>Computed at scrape time from the snapshot: partitions and groups that disappear disappear from
 * the metrics too.
 */
public final class MonitorMetrics implements MultiCollector {
    private final Supplier<Snapshot> latest;

    /**
     * @param latest the newest snapshot, or null before the first
     */
    public MonitorMetrics(Supplier<Snapshot> latest) {
        this.latest = latest;
    }

    @Override
    public MetricSnapshots collect() {
        Snapshot s = latest.get();
        Families f = new Families();
        f.gauge("streamlip_monitor_kafka_up", "1 when the last refresh reached Kafka, else 0.")
                .put(Labels.EMPTY, s != null && s.reachable() ? 1 : 0);
        if (s == null) {
            return f.build();
        }
        for (Snapshot.TopicStats t : s.topics()) {
            Labels topic = Labels.of("topic", t.name());
            f.gauge("kafka_topic_partitions", "Number of partitions of the topic.")
                    .put(topic, t.partitions());
            for (int p = 0; p < t.partitions(); p++) {
                Labels tp = Labels.of("topic", t.name(), "partition", Integer.toString(p));
                f.gauge(
                                "kafka_topic_partition_current_offset",
                                "End offset (high-water mark) of the partition.")
                        .put(tp, t.endOffsets().get(p));
                f.gauge("kafka_topic_partition_oldest_offset", "Log start offset of the partition.")
                        .put(tp, t.startOffsets().get(p));
            }
            f.gauge("streamlip_topic_size_bytes", "Bytes of the topic's logs on the broker.")
                    .put(topic, t.sizeBytes());
            putIfKnown(
                    f.gauge(
                            "streamlip_topic_messages_per_second",
                            "Growth of the topic's end offsets per second."),
                    topic,
                    t.messagesPerSecond());
            putIfKnown(
                    f.gauge(
                            "streamlip_topic_bytes_per_second",
                            "Growth of the topic's log size per second (Admin.describeLogDirs)."),
                    topic,
                    t.bytesPerSecond());
        }
        for (Snapshot.GroupStats g : s.groups()) {
            Labels group = Labels.of("consumergroup", g.group());
            f.gauge("kafka_consumergroup_members", "Members of the consumer group.")
                    .put(group, g.members());
            Map<String, Long> lagByTopic = new LinkedHashMap<>();
            for (Snapshot.PartitionLag p : g.partitions()) {
                Labels gtp =
                        Labels.of(
                                "consumergroup",
                                g.group(),
                                "partition",
                                Integer.toString(p.partition()),
                                "topic",
                                p.topic());
                f.gauge(
                                "kafka_consumergroup_current_offset",
                                "Committed offset of the consumer group on the partition.")
                        .put(gtp, p.committed());
                f.gauge("kafka_consumergroup_lag", "Lag of the consumer group on the partition.")
                        .put(gtp, p.lag());
                lagByTopic.merge(p.topic(), p.lag(), Long::sum);
            }
            lagByTopic.forEach(
                    (topic, lag) ->
                            f.gauge(
                                            "kafka_consumergroup_lag_sum",
                                            "Lag of the consumer group summed over a topic's"
                                                    + " partitions.")
                                    .put(
                                            Labels.of("consumergroup", g.group(), "topic", topic),
                                            lag));
            for (LagStatus status : LagStatus.values()) {
                f.gauge(
                                "streamlip_consumergroup_status",
                                "1 for the group's worst partition status by Burrow's rules"
                                        + " (OK, WARN, STALL, STOP, ERR), else 0.")
                        .put(
                                Labels.of("consumergroup", g.group(), "status", status.name()),
                                g.worstPartition() == status ? 1 : 0);
            }
        }
        s.rejects()
                .byStage()
                .forEach(
                        (stage, reasons) ->
                                reasons.forEach(
                                        (reason, n) ->
                                                f.counter(
                                                                "streamlip_rejects",
                                                                "Records on the rejects topic, by"
                                                                        + " stage and reason.")
                                                        .put(
                                                                Labels.of(
                                                                        "reason", reason, "stage",
                                                                        stage),
                                                                n)));
        Snapshot.TrainerStats t = s.trainer();
        if (t != null) {
            f.gauge("streamlip_model_update_step", "Step of the newest published model.")
                    .put(Labels.EMPTY, t.step());
            putIfKnown(
                    f.gauge(
                            "streamlip_model_update_loss",
                            "Newest training loss the trainer published."),
                    Labels.EMPTY,
                    t.loss());
            putIfKnown(
                    f.gauge(
                            "streamlip_model_update_age_seconds",
                            "Seconds since the trainer published its newest model."),
                    Labels.EMPTY,
                    t.freshnessSeconds());
            t.eval()
                    .forEach(
                            (metric, v) ->
                                    f.gauge(
                                                    "streamlip_model_update_eval",
                                                    "Newest evaluation summary of the trainer.")
                                            .put(Labels.of("metric", metric), v));
        }
        return f.build();
    }

    private static void putIfKnown(Points family, Labels labels, double value) {
        if (!Double.isNaN(value)) {
            family.put(labels, value);
        }
    }

    /** The data points of one family. */
    private record Points(Map<Labels, Double> values) {
        void put(Labels labels, double value) {
            values.put(labels, value);
        }
    }

    /** Collects data points by family, in first-seen order. */
    private static final class Families {
        private final Map<String, String[]> meta = new LinkedHashMap<>(); // name -> {help, type}
        private final Map<String, Map<Labels, Double>> points = new LinkedHashMap<>();

        Points gauge(String name, String help) {
            return family(name, help, "gauge");
        }

        Points counter(String name, String help) {
            return family(name, help, "counter");
        }

        private Points family(String name, String help, String type) {
            meta.putIfAbsent(name, new String[] {help, type});
            return new Points(points.computeIfAbsent(name, n -> new LinkedHashMap<>()));
        }

        MetricSnapshots build() {
            List<MetricSnapshot> out = new ArrayList<>();
            points.forEach(
                    (name, values) -> {
                        String[] m = meta.get(name);
                        if (m[1].equals("counter")) {
                            var b = CounterSnapshot.builder().name(name).help(m[0]);
                            values.forEach(
                                    (labels, v) ->
                                            b.dataPoint(
                                                    CounterSnapshot.CounterDataPointSnapshot
                                                            .builder()
                                                            .labels(labels)
                                                            .value(v)
                                                            .build()));
                            out.add(b.build());
                        } else {
                            var b = GaugeSnapshot.builder().name(name).help(m[0]);
                            values.forEach(
                                    (labels, v) ->
                                            b.dataPoint(
                                                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                                            .labels(labels)
                                                            .value(v)
                                                            .build()));
                            out.add(b.build());
                        }
                    });
            return new MetricSnapshots(out);
        }
    }
}
