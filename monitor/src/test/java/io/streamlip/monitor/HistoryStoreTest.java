package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryStoreTest {
    @TempDir Path dir;

    static Snapshot snapshot(long time, long lag) {
        var topic =
                new Snapshot.TopicStats(
                        "raw-pairs",
                        2,
                        List.of(0L, 0L),
                        List.of(10L, 12L),
                        22,
                        4096,
                        Double.NaN,
                        3.5,
                        Snapshot.BYTES_SOURCE);
        var group =
                new Snapshot.GroupStats(
                        "streamlip-filter-raw-pairs",
                        "EMPTY",
                        0,
                        LagStatus.WARN,
                        LagStatus.WARN,
                        lag,
                        lag,
                        0.5,
                        List.of(
                                new Snapshot.PartitionLag(
                                        "raw-pairs", 0, 10 - lag, 10, lag, LagStatus.WARN)));
        var rejects =
                new Snapshot.RejectStats(3, Map.of("filter", Map.of("DUPLICATE", 2L, "EMPTY", 1L)));
        var trainer =
                new Snapshot.TrainerStats(
                        "run/step-10",
                        10,
                        640,
                        5.5,
                        Double.NaN,
                        1.5,
                        Map.of("i2t_r1", 0.25),
                        1,
                        "model-updates");
        return new Snapshot(
                time, "127.0.0.1:1", true, null, List.of(topic), List.of(group), rejects, trainer);
    }

    @Test
    void snapshotsRoundTripAndComeBackByTimeRange() {
        try (HistoryStore store = HistoryStore.open(dir)) {
            for (int i = 0; i < 5; i++) {
                store.append(snapshot(1_000L * (i + 1), i));
            }
            List<Snapshot> middle = store.range(2_000, 4_000);
            assertThat(middle).extracting(Snapshot::time).containsExactly(2_000L, 3_000L, 4_000L);
            Snapshot back = middle.get(0);
            assertThat(back).isEqualTo(snapshot(2_000, 1)); // records compare by value, NaN too
            assertThat(back.topics().get(0).messagesPerSecond()).isNaN();
            assertThat(back.group("streamlip-filter-raw-pairs").totalLag()).isEqualTo(1);
            assertThat(store.latest(2)).extracting(Snapshot::time).containsExactly(4_000L, 5_000L);
        }
    }

    @Test
    void historySurvivesReopeningAndOldEntriesArePruned() {
        try (HistoryStore store = HistoryStore.open(dir)) {
            store.append(snapshot(1_000, 0));
            store.append(snapshot(9_000, 4));
        }
        try (HistoryStore store = HistoryStore.open(dir)) {
            assertThat(store.range(0, Long.MAX_VALUE)).hasSize(2);
            store.deleteBefore(5_000);
            assertThat(store.range(0, Long.MAX_VALUE))
                    .extracting(Snapshot::time)
                    .containsExactly(9_000L);
        }
    }

    @Test
    void keysSortByTime() {
        assertThat(HistoryStore.time(HistoryStore.key(1_700_000_000_123L)))
                .isEqualTo(1_700_000_000_123L);
        assertThat(java.util.Arrays.compareUnsigned(HistoryStore.key(255), HistoryStore.key(256)))
                .isNegative();
    }
}
