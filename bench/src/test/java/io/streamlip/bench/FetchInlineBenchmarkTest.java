package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The quick run of {@code bench fetch-inline}: each wiring runs and is reported. */
@Tag("integration")
class FetchInlineBenchmarkTest {

    @Test
    void eachWiringRunsAndIsReported() throws Exception {
        BenchResult result =
                new FetchInlineBenchmark()
                        .run(
                                BenchOptions.builder()
                                        .quick(true)
                                        .limit(Long.getLong("fetch-inline.records", 2_000))
                                        .build());
        System.out.println(result.toTable());
        assertThat(result.rows())
                .extracting(r -> r.get(0))
                .containsExactly("none", "unrouted", "routed");
        assertThat(result.json())
                .containsKeys("stage_cpu_us_per_record_unrouted", "stage_cpu_us_per_record_routed");
        assertThat(Benchmarks.standard().find("fetch-inline")).isPresent();
    }
}
