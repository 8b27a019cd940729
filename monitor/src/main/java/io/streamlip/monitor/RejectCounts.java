package io.streamlip.monitor;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts of rejected records by stage and reason code, over a bounded set of both: a reason outside
 * {@link RejectReason}'s codes is counted as {@value #OTHER}, and so is a stage outside {@link
 * #KNOWN_STAGES}. So the counts (and the Prometheus labels and JSON made from them) stay a few
 * dozen entries whatever the rejects topic holds. Records that do not decode as {@link Reject} are
 * counted under stage {@code unknown}, reason {@value #UNDECODABLE}.
 */
final class RejectCounts {
    static final String UNDECODABLE = "UNDECODABLE";

    /** What an unknown stage or reason is counted as. */
    static final String OTHER = "other";

    /**
     * The stages that write rejects: the filter job (and its {@code fetch} stage), the tokenize
     * job, the file sinks ({@code sink-webdataset}, {@code sink-avro}), importers ({@code import}),
     * and {@code unknown} for records that do not decode.
     */
    static final Set<String> KNOWN_STAGES =
            Set.of(
                    "fetch",
                    "filter",
                    "tokenize",
                    "sink-webdataset",
                    "sink-avro",
                    "import",
                    "unknown");

    private static final Set<String> KNOWN_REASONS =
            Arrays.stream(RejectReason.values())
                    .map(RejectReason::code)
                    .collect(Collectors.toUnmodifiableSet());

    private final AvroSerde<Reject> serde = AvroSerde.of(Reject.class);
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    private long total;

    /** Counts one record of the rejects topic. */
    void add(byte[] value) {
        String stage;
        String reason;
        try {
            Reject r = serde.decode(value);
            stage = KNOWN_STAGES.contains(r.getStage()) ? r.getStage() : OTHER;
            reason = KNOWN_REASONS.contains(r.getReason()) ? r.getReason() : OTHER;
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
