package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurationCostBenchmarkTest {

    @Test
    @SuppressWarnings("unchecked")
    @Tag("integration")
    void splitsTheCostOfARecordByStep(@TempDir Path noData) throws Exception {
        BenchResult result = new CurationCostBenchmark(noData).run(new BenchOptions(true, 1, 60));

        Map<String, Object> perRecord = (Map<String, Object>) result.json().get("us_per_record");
        assertThat(perRecord).containsOnlyKeys("synthetic");
        Map<String, Double> synthetic = (Map<String, Double>) perRecord.get("synthetic");
        assertThat(synthetic)
                .containsKeys(
                        "caption",
                        "language",
                        "header",
                        "decode",
                        "fingerprint",
                        "resize",
                        "curate",
                        "build",
                        "curate+build",
                        "decode+resize");
        assertThat(synthetic.values()).allSatisfy(us -> assertThat(us).isPositive());
        assertThat(synthetic.get("curate+build"))
                .isEqualTo(synthetic.get("curate") + synthetic.get("build"));
        assertThat(result.toTable()).contains("fingerprint").contains("emoji data missing");
    }

    @Test
    void isAStandardBenchmark() {
        assertThat(Benchmarks.standard().find("curation-cost")).isPresent();
    }
}
