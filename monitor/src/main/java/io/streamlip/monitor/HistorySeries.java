package io.streamlip.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Time series for the dashboard's charts, drawn from a run of snapshots: total lag per consumer
 * group, and messages/s and bytes/s per topic. A snapshot in which a group or topic is missing (or
 * a rate is not known yet) gives a null point, so lines break instead of lying.
 *
 * @param times snapshot times (epoch milliseconds), oldest first
 * @param lag total lag by group, one value per time
 * @param messagesPerSecond by topic, one value per time
 * @param bytesPerSecond by topic, one value per time
 */
public record HistorySeries(
        List<Long> times,
        Map<String, List<Double>> lag,
        Map<String, List<Double>> messagesPerSecond,
        Map<String, List<Double>> bytesPerSecond) {

    /** The series of {@code snapshots} (oldest first); unreachable snapshots are skipped. */
    public static HistorySeries of(List<Snapshot> snapshots) {
        List<Snapshot> ok = snapshots.stream().filter(Snapshot::reachable).toList();
        List<Long> times = ok.stream().map(Snapshot::time).toList();
        Map<String, List<Double>> lag = new TreeMap<>();
        Map<String, List<Double>> messages = new TreeMap<>();
        Map<String, List<Double>> bytes = new TreeMap<>();
        for (int i = 0; i < ok.size(); i++) {
            Snapshot s = ok.get(i);
            for (Snapshot.GroupStats g : s.groups()) {
                series(lag, g.group(), ok.size()).set(i, (double) g.totalLag());
            }
            for (Snapshot.TopicStats t : s.topics()) {
                series(messages, t.name(), ok.size()).set(i, known(t.messagesPerSecond()));
                series(bytes, t.name(), ok.size()).set(i, known(t.bytesPerSecond()));
            }
        }
        return new HistorySeries(times, lag, messages, bytes);
    }

    private static List<Double> series(Map<String, List<Double>> map, String name, int size) {
        return map.computeIfAbsent(
                name,
                k -> {
                    List<Double> values = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        values.add(null);
                    }
                    return values;
                });
    }

    private static Double known(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
