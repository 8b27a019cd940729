package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {
    @Test
    void percentilesOfTheWindowAndOfTheWholeRun() {
        LatencyStats stats = new LatencyStats(100);
        assertThat(stats.recent()).isEqualTo(LatencyStats.Percentiles.NONE);
        for (int i = 1; i <= 1000; i++) {
            stats.add(i); // the whole run: 1..1000 ms
        }
        for (int i = 0; i < 100; i++) {
            stats.add(5000 + i); // the latest 100: 5000..5099 ms
        }
        LatencyStats.Percentiles recent = stats.recent();
        assertThat(recent.count()).isEqualTo(100);
        assertThat(recent.p50Millis()).isEqualTo(5049);
        assertThat(recent.p95Millis()).isEqualTo(5094);
        LatencyStats.Percentiles all = stats.overall();
        assertThat(all.count()).isEqualTo(1100);
        assertThat(all.p50Millis()).isCloseTo(550, within(550 * 0.011));
        assertThat(all.p95Millis()).isCloseTo(5045, within(5045 * 0.011));
    }
}
