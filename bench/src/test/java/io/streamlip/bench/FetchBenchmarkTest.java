package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quick run of {@code bench fetch}: every fetch succeeds and waits overlap. */
class FetchBenchmarkTest {

    @Test
    void everyFetchSucceedsAndConcurrentFetchesOverlapTheirWaits() throws Exception {
        BenchResult result = new FetchBenchmark().run(BenchOptions.quickRun());
        List<List<Object>> rows = result.rows();
        assertThat(rows).extracting(r -> r.get(0)).containsExactly(1, 8, 64);
        assertThat(rows).allSatisfy(r -> assertThat(r.get(8)).isEqualTo(0));
        // 8 at once overlap their waits: well above the rate of one at a time, measured alike.
        assertThat((Double) rows.get(1).get(2)).isGreaterThan(3 * (Double) rows.get(0).get(2));
        assertThat(Benchmarks.standard().find("fetch")).isPresent();
    }
}
