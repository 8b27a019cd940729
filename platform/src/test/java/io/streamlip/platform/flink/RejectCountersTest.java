package io.streamlip.platform.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.RejectReason;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class RejectCountersTest {

    @Test
    void oneCounterPerReasonRegisteredOnFirstUse() {
        Map<String, Counter> registered = new HashMap<>();
        MetricGroup group =
                new UnregisteredMetricsGroup() {
                    @Override
                    public Counter counter(String name) {
                        return counter(name, new SimpleCounter());
                    }

                    @Override
                    public <C extends Counter> C counter(String name, C counter) {
                        registered.put(name, counter);
                        return counter;
                    }

                    @Override
                    public MetricGroup addGroup(String name) {
                        assertThat(name).isEqualTo("streamlip");
                        return this;
                    }
                };
        RejectCounters counters = new RejectCounters(group);
        counters.accepted();
        counters.accepted();
        counters.rejected(RejectReason.DUPLICATE);
        counters.rejected(RejectReason.NOT_AVRO);
        counters.rejected(RejectReason.DUPLICATE);
        assertThat(registered)
                .containsOnlyKeys("accepted", "rejected_duplicate", "rejected_not_avro");
        assertThat(registered.get("accepted").getCount()).isEqualTo(2);
        assertThat(registered.get("rejected_duplicate").getCount()).isEqualTo(2);
        assertThat(registered.get("rejected_not_avro").getCount()).isEqualTo(1);
    }
}
