package io.streamlip.monitor;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of rejected records by stage and reason code. Records that do not decode as {@link Reject}
 * are counted under stage {@code unknown}, reason {@value #UNDECODABLE}.
 */
final class RejectCounts {
    static final String UNDECODABLE = "UNDECODABLE";

    private final AvroSerde<Reject> serde = AvroSerde.of(Reject.class);
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    private long total;

    /** Counts one record of the rejects topic. */
    void add(byte[] value) {
        String stage;
        String reason;
        try {
            Reject r = serde.decode(value);
            stage = r.getStage();
            reason = r.getReason();
        } catch (RuntimeException e) {
            stage = "unknown";
            reason = UNDECODABLE;
        }
        counts.computeIfAbsent(stage, s -> new TreeMap<>()).merge(reason, 1L, Long::sum);
        total++;
    }

    Snapshot.RejectStats stats() {
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        counts.forEach((stage, reasons) -> copy.put(stage, Map.copyOf(new TreeMap<>(reasons))));
        return new Snapshot.RejectStats(total, copy);
    }
}
