package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.emoji.EmojiData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curation benchmark measures the data it says it measures, or refuses. */
class CurationBenchmarkTest {

    @Test
    void refusesWithTheFetchCommandsWhenTheCorpusIsMissingAndFetchingIsDisabled(
            @TempDir Path empty) {
        CurationBenchmark bench =
                new CurationBenchmark(
                        EmojiData.Config.defaults(empty).toBuilder()
                                .npmCommand(CurationBenchmark.NO_FETCH)
                                .build(),
                        CurationBenchmark.Source.EMOJI);
        assertThatThrownBy(() -> bench.run(new BenchOptions(true, 1, 50)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs the emoji x CLDR corpus in " + empty.toAbsolutePath())
                .hasMessageContaining("fetching is disabled")
                .hasMessageContaining(
                        "cd "
                                + empty.toAbsolutePath()
                                + " && npm pack emoji-datasource-google@16.0.0")
                .hasMessageContaining("npm pack cldr-annotations-full@48.2.0")
                .hasMessageContaining("STREAMLIP_BENCH_SOURCE=synthetic")
                .hasMessageNotContaining("\n");
    }

    @Test
    void refusesWhenNpmCannotRun(@TempDir Path empty) {
        CurationBenchmark bench =
                new CurationBenchmark(
                        EmojiData.Config.defaults(empty).toBuilder()
                                .npmCommand(empty.resolve("no-npm-here").toString())
                                .build(),
                        CurationBenchmark.Source.EMOJI);
        assertThatThrownBy(() -> bench.run(new BenchOptions(true, 1, 50)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot run '" + empty.resolve("no-npm-here"))
                .hasMessageContaining("npm pack emoji-datasource-twitter@16.0.0")
                .hasMessageNotContaining("\n");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSyntheticShapesRunOnlyWhenAskedAndAreLabelled(@TempDir Path empty) throws Exception {
        BenchResult result =
                new CurationBenchmark(
                                EmojiData.Config.defaults(empty).toBuilder()
                                        .npmCommand(CurationBenchmark.NO_FETCH)
                                        .build(),
                                CurationBenchmark.Source.SYNTHETIC)
                        .run(new BenchOptions(true, 1, 40));
        assertThat(result.json().get("source")).isEqualTo("synthetic");
        assertThat((Map<String, Object>) result.json().get("source_detail"))
                .containsEntry("kind", "synthetic");
        assertThat(result.toTable()).contains("SYNTHETIC shapes, not the emoji corpus");
        assertThat(CurationBenchmark.parseSource("Synthetic"))
                .isEqualTo(CurationBenchmark.Source.SYNTHETIC);
        assertThatThrownBy(() -> CurationBenchmark.parseSource("shapes"))
                .hasMessageContaining("source must be emoji or synthetic");
    }
}
