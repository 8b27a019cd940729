package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench curation --checkpoint}: scores clean and unrelated-caption pairs with the
 * checkpoint's model and reports recall at shares of clean pairs refused, or refuses without one.
 */
class CurationScoredBenchmarkTest {

    private static CurationBenchmark synthetic(Path data) {
        return new CurationBenchmark(
                EmojiData.Config.defaults(data).toBuilder()
                        .npmCommand(CurationBenchmark.NO_FETCH)
                        .build(),
                CurationBenchmark.Source.SYNTHETIC);
    }

    @Test
    void refusesWithTheCommandThatMakesACheckpointWhenTheFolderHoldsNone(@TempDir Path empty) {
        BenchOptions options = BenchOptions.builder().quick(true).checkpoint(empty).build();
        assertThatThrownBy(() -> synthetic(empty).run(options))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(empty.toAbsolutePath() + " holds no trainer checkpoint")
                .hasMessageContaining("./streamlip demo --minutes 8 --out out/demo")
                .hasMessageContaining("--checkpoint out/demo/checkpoints");
    }

    @Test
    @SuppressWarnings("unchecked")
    void scoresCleanAndUnrelatedPairsWithTheNewestCheckpointOfAFolder(@TempDir Path dir)
            throws Exception {
        ModelConfig tiny = ModelConfig.tiny(new ByteTokenizer(32).vocabSize());
        String version = CrossModalBenchmark.checkpoint(dir, tiny).getModelVersion().toString();
        BenchResult result =
                synthetic(dir)
                        .run(
                                BenchOptions.builder()
                                        .limit(200)
                                        .threads(1)
                                        .checkpoint(dir.resolve(tiny.name()))
                                        .build());

        assertThat(result.json()).containsEntry("model_version", version);
        Map<String, Object> overall = (Map<String, Object>) result.json().get("overall");
        int clean = (Integer) overall.get("clean");
        int unrelated = (Integer) overall.get("unrelated");
        // 200 clean pairs, one unrelated caption after about one in ten
        assertThat(clean + (long) result.json().get("refused_by_curation")).isEqualTo(200);
        assertThat(clean).isGreaterThan(150);
        assertThat(unrelated).isBetween(5, 50);
        Map<String, Object> recalls = (Map<String, Object>) overall.get("recall_at_clean_refused");
        assertThat(recalls).containsOnlyKeys("0.01", "0.05", "0.10");
        double previous = 0;
        for (String share : new String[] {"0.01", "0.05", "0.10"}) {
            double recall = (Double) recalls.get(share);
            assertThat(recall).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(previous);
            previous = recall;
        }
        assertThat(result.rows().get(0).get(0)).isEqualTo("all");
        assertThat(result.toTable()).contains("recall@5%").contains(version);
    }

    @Test
    void thresholdsRefuseTheAskedShareOfCleanPairsAndRecallCountsNoiseBelowThem() {
        float[] clean = new float[100];
        for (int i = 0; i < clean.length; i++) {
            clean[i] = i / 100f; // 0.00 .. 0.99
        }
        float[] noise = {-0.5f, 0.02f, 0.04f, 0.07f, 0.5f};
        double t1 = UnrelatedCaptionScores.threshold(clean, 0.01);
        double t5 = UnrelatedCaptionScores.threshold(clean, 0.05);
        assertThat(t1).isEqualTo(0.01f);
        assertThat(t5).isEqualTo(0.05f);
        // one clean pair (0.00) below t1, five below t5
        assertThat(UnrelatedCaptionScores.recall(clean, t5)).isCloseTo(0.05, within(1e-9));
        assertThat(UnrelatedCaptionScores.recall(noise, t1)).isCloseTo(0.2, within(1e-9));
        assertThat(UnrelatedCaptionScores.recall(noise, t5)).isCloseTo(0.6, within(1e-9));
        assertThat(UnrelatedCaptionScores.recall(new float[0], t5)).isNaN();
        assertThat(UnrelatedCaptionScores.threshold(new float[0], 0.05)).isNaN();
        assertThat(UnrelatedCaptionScores.auc(new float[] {1f, 2f}, new float[] {0f, 3f}))
                .isCloseTo(0.5, within(1e-9));
        assertThat(UnrelatedCaptionScores.auc(new float[] {1f}, new float[] {1f}))
                .isCloseTo(0.5, within(1e-9));
        assertThat(UnrelatedCaptionScores.auc(new float[] {2f, 3f}, new float[] {0f, 1f}))
                .isCloseTo(1.0, within(1e-9));
    }
}
