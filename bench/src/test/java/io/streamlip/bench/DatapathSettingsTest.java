package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatapathSettingsTest {

    @Test
    void quickRunsAreShorterThanFullOnes() {
        DatapathSettings quick = DatapathSettings.of(BenchOptions.quickRun());
        DatapathSettings full = DatapathSettings.of(BenchOptions.defaults());

        assertThat(quick.records()).isLessThan(full.records());
        assertThat(quick.warmupBatches()).isLessThan(full.warmupBatches());
        assertThat(quick.measuredCopies()).isLessThan(full.measuredCopies());
        assertThat(quick.measuredStreams()).isEqualTo(1);
        assertThat(full.measuredStreams()).isEqualTo(3);
        assertThat(quick.curationCost().passes()).isEqualTo(1);
        assertThat(quick.pairThreads()).isBetween(1, 2).isLessThanOrEqualTo(quick.cores());
    }
}
