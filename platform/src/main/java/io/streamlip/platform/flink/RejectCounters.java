package io.streamlip.platform.flink;

import io.streamlip.schemas.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * One Flink counter per {@link RejectReason}, named {@code rejected_<code>} under the operator's
 * metric group, plus {@code accepted}. Counters are registered when first used, so a dashboard
 * shows only the reasons that occurred.
 */
public final class RejectCounters {
    private final MetricGroup group;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Counter accepted;

    /**
     * Counters in {@code operatorGroup} (an operator's {@code
     * getRuntimeContext().getMetricGroup()}).
     */
    public RejectCounters(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup("streamlip");
        this.accepted = group.counter("accepted");
    }

    public void accepted() {
        accepted.inc();
    }

    public void rejected(RejectReason reason) {
        rejected.computeIfAbsent(reason, r -> group.counter("rejected_" + r.code())).inc();
    }
}
