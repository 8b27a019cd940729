package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void steadyRateCountsFromTheFirstCommitToTheLast() {
        // 1,000 records after 500 warm-up ones: sent at 0 s, the first commit at 2 s brought 200,
        // the last came at 6 s.
        StreamWindow window =
                new StreamWindow(
                        1000,
                        500,
                        0,
                        new CommittedCounter.FirstCommit(2 * SECOND, 700),
                        6 * SECOND);

        assertThat(window.endToEndRate()).isCloseTo(1000 / 6.0, within(1e-9));
        assertThat(window.steadyRate()).isCloseTo(800 / 4.0, within(1e-9));
    }

    @Test
    void aFirstCountBelowTheEarlierBatchesCountsTheWholeStream() {
        StreamWindow window =
                new StreamWindow(
                        1000, 500, 0, new CommittedCounter.FirstCommit(SECOND, 400), 5 * SECOND);

        assertThat(window.steadyRate()).isCloseTo(1000 / 4.0, within(1e-9));
    }

    @Test
    void oneCommitForEverythingFallsBackToTheEndToEndRate() {
        StreamWindow window =
                new StreamWindow(
                        1000,
                        500,
                        0,
                        new CommittedCounter.FirstCommit(3 * SECOND, 1500),
                        3 * SECOND);

        assertThat(window.steadyRate()).isEqualTo(window.endToEndRate());
        assertThat(window.steadyRate()).isCloseTo(1000 / 3.0, within(1e-9));
    }

    @Test
    void aCommitSettlesInAQuarterOfTheCheckpointIntervalAtMost250Ms() {
        assertThat(CommittedCounter.settleTime(Duration.ofSeconds(1)))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(CommittedCounter.settleTime(Duration.ofSeconds(5)))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(CommittedCounter.settleTime(Duration.ofMillis(400)))
                .isEqualTo(Duration.ofMillis(100));
    }
}
