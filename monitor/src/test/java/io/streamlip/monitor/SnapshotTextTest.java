package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SnapshotTextTest {
    @Test
    void rendersTopicsGroupsRejectsAndTrainer() {
        String text = SnapshotText.render(HistoryStoreTest.snapshot(1_000, 4));
        assertThat(text)
                .contains("raw-pairs", "22", "4.0 KiB", "3.5")
                .contains("streamlip-filter-raw-pairs", "WARN", "lag        4")
                .contains("rejects: 3", "filter: DUPLICATE 2, EMPTY 1")
                .contains("run/step-10", "step 10", "loss 5.5", "i2t_r1=0.25");
    }

    @Test
    void saysWhenKafkaIsNotReachable() {
        String text =
                SnapshotText.render(Snapshot.unreachable(0, "127.0.0.1:9", "connection refused"));
        assertThat(text)
                .contains("Kafka is NOT reachable: connection refused")
                .contains("retrying");
    }
}
