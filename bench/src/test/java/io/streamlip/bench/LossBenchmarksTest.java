package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke tests of {@code chunked-loss} and {@code small-batch} at toy sizes (no figures). */
class LossBenchmarksTest {

    @Test
    void bothAreStandardBenchmarks() {
        assertThat(Benchmarks.standard().find("chunked-loss")).isPresent();
        assertThat(Benchmarks.standard().find("small-batch")).isPresent();
    }

    @Test
    void chunkedAndWholeMeasureTheSameLoss() {
        ChunkedLossBenchmark.Measurement whole = ChunkedLossBenchmark.measure(64, 16, 0, 1);
        ChunkedLossBenchmark.Measurement chunked = ChunkedLossBenchmark.measure(64, 16, 4, 1);
        assertThat(chunked.loss()).isCloseTo(whole.loss(), within(1e-4f * whole.loss()));
        assertThat(whole.ms()).isPositive();
        assertThat(whole.method()).isNotBlank();
    }

    @Test
    @SuppressWarnings("unchecked")
    void smallBatchFallsBackToSyntheticDataAndComparesBothLosses(@TempDir Path empty)
            throws Exception {
        SmallBatchBenchmark.Settings settings =
                new SmallBatchBenchmark.Settings(
                        32,
                        List.of(8, 16),
                        ModelConfig.tiny(new ByteTokenizer(32).vocabSize()),
                        1e-3,
                        1,
                        List.of("en"),
                        10,
                        1);
        BenchResult result = SmallBatchBenchmark.measure(settings, EmojiData.at(empty));
        assertThat((String) result.json().get("data")).contains("synthetic");
        List<Map<String, Object>> rows = (List<Map<String, Object>>) result.json().get("rows");
        assertThat(rows).extracting(r -> r.get("batch")).containsExactly(8, 16);
        assertThat(rows).extracting(r -> r.get("steps")).containsExactly(4, 2);
        assertThat(result.toTable()).contains("sigmoid zero-shot").contains("softmax zero-shot");
    }
}
