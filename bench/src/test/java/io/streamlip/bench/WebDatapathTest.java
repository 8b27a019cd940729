package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebDatapathTest {
    @Test
    void webPairsAreJpegsOfTheAskedSizeThatTheCuratorAccepts() {
        List<RawPair> pairs = WebDatapath.pairs(320, 240, 6);
        PairCurator curator = new PairCurator(DatapathSettings.FILTER);
        for (RawPair pair : pairs) {
            byte[] bytes = new byte[pair.getImage().remaining()];
            pair.getImage().duplicate().get(bytes);
            Images.Header header = Images.probe(bytes).orElseThrow();
            assertThat(header.format()).isEqualTo("jpeg");
            assertThat(header.width()).isEqualTo(320);
            assertThat(header.height()).isEqualTo(240);
            assertThat(curator.curate(pair, Instant.now()).accepted()).isTrue();
        }
        assertThat(pairs.stream().map(RawPair::getId).distinct()).hasSize(6);
    }

    @Test
    void setsTheJobsAgainstPlainWorkPlusTheRelay() {
        PipelineFigures jobs = new PipelineFigures(100, 90, 6.0, 0.5, 0, Map.of());
        PipelineFigures relay = new PipelineFigures(900, 800, 1.0, 0.1, 0, Map.of());
        WebDatapath.Figures f =
                new WebDatapath.Figures(
                        "640x480", 10, 4, 1000, true, 90, 250, 100, jobs, relay, 150_600, 120_000,
                        20_000);
        assertThat(f.plainMs()).isCloseTo(4.0, within(1e-12));
        // Without the JIT's threads on both sides (no idle measurement): 5.5 against 4.0 + 0.9.
        assertThat(f.overheadRatio()).isCloseTo(5.5 / 4.9, within(1e-12));
        assertThat(f.overheadRatioGross()).isCloseTo(6.0 / 5.0, within(1e-12));
        BenchResult result = new BenchResult("t", DatapathReport.COLUMNS);
        WebDatapath.report(result, List.of(f), 2);
        assertThat(result.json())
                .containsEntry("web_640x480_plain_over_full_decode", 2.5)
                .containsEntry("web_640x480_jobs_over_plain_plus_relay", 5.5 / 4.9)
                .containsEntry("web_640x480_jobs_over_plain_plus_relay_gross", 1.2)
                .containsEntry("web_640x480_warmup_batches", 4);
        assertThat(result.rows()).hasSize(4);
    }

    @Test
    void readsTheSizesToMeasure() {
        assertThat(WebDatapath.sizes()).hasSize(2);
        assertThat(WebDatapath.sizes().get(1)).containsExactly(1024, 768);
    }

    @Test
    void measuresTheWebSizesAtTheJobsCheckpointIntervalUnlessAskedForOthers() {
        assertThat(WebDatapath.checkpointIntervals(java.time.Duration.ofSeconds(5)))
                .containsExactly(java.time.Duration.ofSeconds(5));
        System.setProperty(WebDatapath.CHECKPOINTS_PROPERTY, "1000, 5000");
        try {
            assertThat(WebDatapath.checkpointIntervals(java.time.Duration.ofSeconds(5)))
                    .containsExactly(
                            java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(5));
        } finally {
            System.clearProperty(WebDatapath.CHECKPOINTS_PROPERTY);
        }
    }
}
