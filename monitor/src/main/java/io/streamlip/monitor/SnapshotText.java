package io.streamlip.monitor;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A {@link Snapshot} as the plain-text tables {@code streamlip monitor} prints. */
public final class SnapshotText {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private SnapshotText() {}

    public static String render(Snapshot s) {
        StringBuilder out = new StringBuilder();
        out.append("streamlip monitor  ")
                .append(TIME.format(Instant.ofEpochMilli(s.time())))
                .append("  Kafka ")
                .append(s.bootstrap());
        if (!s.reachable()) {
            out.append("\nKafka is NOT reachable: ")
                    .append(s.error())
                    .append("\n(retrying at the next refresh)\n");
            return out.toString();
        }
        out.append("\n\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-28s %5s %12s %12s %10s %10s %10s%n",
                        "TOPIC",
                        "PARTS",
                        "END OFFSETS",
                        "RECORDS",
                        "SIZE",
                        "MSG/S",
                        "BYTES/S"));
        for (Snapshot.TopicStats t : s.topics()) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-28s %5d %12d %12d %10s %10s %10s%n",
                            t.name(),
                            t.partitions(),
                            t.endOffsetSum(),
                            t.records(),
                            bytes(t.sizeBytes()),
                            rate(t.messagesPerSecond()),
                            rate(t.bytesPerSecond())));
        }
        out.append("(bytes/s: ").append(Snapshot.BYTES_SOURCE).append(")\n\n");
        if (s.groups().isEmpty()) {
            out.append("no consumer group has committed offsets on these topics\n");
        } else {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-40s %-6s %-6s %-12s %7s %10s%n",
                            "GROUP",
                            "STATUS",
                            "WORST",
                            "STATE",
                            "MEMBERS",
                            "TOTAL LAG"));
            for (Snapshot.GroupStats g : s.groups()) {
                out.append(
                        String.format(
                                Locale.ROOT,
                                "%-40s %-6s %-6s %-12s %7d %10d%n",
                                g.group(),
                                g.status(),
                                g.worstPartition(),
                                g.state(),
                                g.members(),
                                g.totalLag()));
                for (Snapshot.PartitionLag p : g.partitions()) {
                    out.append(
                            String.format(
                                    Locale.ROOT,
                                    "    %-30s committed %10d  end %10d  lag %8d  %s%n",
                                    p.topic() + "/" + p.partition(),
                                    p.committed(),
                                    p.end(),
                                    p.lag(),
                                    p.status()));
                }
            }
        }
        out.append("\nrejects: ").append(s.rejects().total());
        // Most frequent reason first, whatever order the snapshot's maps came in (JSON, history).
        for (Map.Entry<String, Map<String, Long>> stage :
                new java.util.TreeMap<>(s.rejects().byStage()).entrySet()) {
            out.append("\n    ")
                    .append(stage.getKey())
                    .append(": ")
                    .append(
                            stage.getValue().entrySet().stream()
                                    .sorted(
                                            Map.Entry.<String, Long>comparingByValue()
                                                    .reversed()
                                                    .thenComparing(Map.Entry.comparingByKey()))
                                    .map(e -> e.getKey() + " " + e.getValue())
                                    .collect(Collectors.joining(", ")));
        }
        out.append("\n\n");
        Snapshot.TrainerStats t = s.trainer();
        if (t == null) {
            out.append("trainer: no model published yet\n");
        } else {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "trainer: %s  step %d  loss %s  %s ex/s  newest model %s s old  eval %s"
                                    + "  (from %s)%n",
                            t.modelVersion(),
                            t.step(),
                            rate(t.loss()),
                            rate(t.examplesPerSecond()),
                            rate(t.freshnessSeconds()),
                            t.eval().isEmpty() ? "none" : t.eval(),
                            t.source()));
        }
        return out.toString();
    }

    private static String rate(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }
}
