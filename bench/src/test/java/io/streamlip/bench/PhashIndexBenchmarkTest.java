package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quick run of {@code bench phash-index}: the index and the scan agree on what matches. */
class PhashIndexBenchmarkTest {

    @Test
    void theIndexAndTheLinearScanMatchTheSameQueries() throws Exception {
        BenchResult result = new PhashIndexBenchmark().run(BenchOptions.quickRun());
        List<List<Object>> rows = result.rows();
        assertThat(rows).hasSize(4);
        // hashes, method, lookups, matched: both methods ran the same 2,000 queries at 1,000.
        assertThat(rows.get(0).subList(0, 4))
                .containsExactly(1_000, "index", 2_000, rows.get(1).get(3));
        assertThat(rows.get(1).subList(0, 3)).containsExactly(1_000, "linear scan", 2_000);
        // Half the queries are near copies of a listed hash.
        assertThat((Integer) rows.get(0).get(3)).isBetween(1_000, 1_100);
        assertThat(Benchmarks.standard().find("phash-index")).isPresent();
    }
}
