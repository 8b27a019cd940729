package io.streamlip.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryDownsamplerTest {
    static List<Snapshot> every(long fromMs, long stepMs, int count) {
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(DashboardHistoryTest.snapshot(fromMs + i * stepMs, i));
        }
        return out;
    }

    static HistorySeries reduce(List<Snapshot> snapshots, long from, long to, int points) {
        HistoryDownsampler d = new HistoryDownsampler(from, to, points, snapshots.size());
        snapshots.forEach(d);
        return d.result();
    }

    @Test
    void aWindowWithFewSnapshotsKeepsEachOneHoweverCloseTogether() {
        List<Snapshot> two = every(1_000_000, 10, 2);
        HistorySeries s = reduce(two, 0, 1_800_000, 600);
        assertThat(s.times()).containsExactly(1_000_000L, 1_000_010L);
        assertThat(s).isEqualTo(HistorySeries.of(two));
    }

    @Test
    void aLongRunFitsThePointsWhereverTheWindowStarts() {
        List<Snapshot> many = every(5, 7, 5000);
        for (long from : new long[] {0, 3, 5, 1234, 17_000}) {
            for (int points : new int[] {2, 3, 10, 599}) {
                HistorySeries s = reduce(many, from, from + 35_000, points);
                assertThat(s.times()).hasSizeLessThanOrEqualTo(points).isNotEmpty().isSorted();
                s.lag().values().forEach(v -> assertThat(v).hasSameSizeAs(s.times()));
            }
        }
    }

    @Test
    void snapshotsOutsideTheWindowAndUnreachableOnesAreLeftOut() {
        List<Snapshot> snapshots = new ArrayList<>(every(100, 100, 10));
        snapshots.add(4, Snapshot.unreachable(450, "x", "down"));
        HistorySeries s = reduce(snapshots, 300, 700, 600);
        assertThat(s.times()).containsExactly(300L, 400L, 500L, 600L, 700L);
    }
}
