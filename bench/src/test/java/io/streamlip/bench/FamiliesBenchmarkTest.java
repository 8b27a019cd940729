package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bookkeeping of {@code streamlip bench families}: nothing here trains. */
class FamiliesBenchmarkTest {

    @Test
    void chargesTheBudgetOnlyWhileItRuns() {
        AtomicLong clock = new AtomicLong(1_000);
        CpuBudget budget = new CpuBudget(100, clock::get);
        clock.addAndGet(500); // before the start: preparing data, not charged
        budget.start();
        clock.addAndGet(60);
        assertThat(budget.spentNanos()).isEqualTo(60);
        assertThat(budget.exhausted()).isFalse();
        budget.stop();
        clock.addAndGet(1_000); // evaluating: not charged
        assertThat(budget.spentNanos()).isEqualTo(60);
        budget.start();
        clock.addAndGet(39);
        assertThat(budget.exhausted()).isFalse();
        clock.addAndGet(1);
        assertThat(budget.exhausted()).isTrue();
        clock.addAndGet(25); // the last step overruns
        budget.stop();
        assertThat(budget.spentNanos()).isEqualTo(125);
    }

    @Test
    void refusesAnUnbalancedBudget() {
        CpuBudget budget = new CpuBudget(10, () -> 0);
        assertThatThrownBy(budget::stop).isInstanceOf(IllegalStateException.class);
        budget.start();
        assertThatThrownBy(budget::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new CpuBudget(0, () -> 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void processBudgetCountsThisProcessesCpu() {
        CpuBudget budget = CpuBudget.ofProcessSeconds(0.05);
        budget.start();
        long x = 0;
        for (long i = 0; !budget.exhausted(); i++) {
            x += i * i; // burns CPU until 50 ms of it are spent
        }
        budget.stop();
        assertThat(x).isNotZero();
        assertThat(budget.spentNanos()).isGreaterThanOrEqualTo(50_000_000L);
    }

    @Test
    void spreadsEachLanguageOverTheRunsThatHaveIt() {
        FamilyRunResult one =
                run(
                        "small",
                        1,
                        Map.of(
                                "en",
                                retrieval(0.10, 0.30),
                                "de",
                                retrieval(0.02, 0.10),
                                FamilyRunResult.MEAN,
                                retrieval(0.06, 0.20)));
        FamilyRunResult two =
                run(
                        "small",
                        2,
                        Map.of(
                                "en",
                                retrieval(0.20, 0.40),
                                "ja",
                                retrieval(Double.NaN, 0.05),
                                FamilyRunResult.MEAN,
                                retrieval(0.20, 0.225)));
        Map<String, FamiliesReport.Spread> r1 =
                FamiliesReport.perLanguage(
                        List.of(one, two),
                        FamilyRunResult::retrieval,
                        FamilyRunResult.Retrieval::i2tR1);
        assertThat(r1.keySet()).containsExactly("de", "en", "ja", FamilyRunResult.MEAN);
        assertThat(r1.get("en").mean()).isCloseTo(0.15, within(1e-12));
        assertThat(r1.get("en").min()).isEqualTo(0.10);
        assertThat(r1.get("en").max()).isEqualTo(0.20);
        assertThat(r1.get("en").n()).isEqualTo(2);
        assertThat(r1.get("de").n()).isEqualTo(1);
        assertThat(r1.get("de").mean()).isEqualTo(0.02);
        assertThat(r1.get("ja")).isEqualTo(FamiliesReport.Spread.NONE); // NaN only
        assertThat(r1.get(FamilyRunResult.MEAN).mean()).isCloseTo(0.13, within(1e-12));
        assertThat(r1.get("en").format(2)).isEqualTo("0.15 [0.10–0.20]");
        assertThat(FamiliesReport.Spread.NONE.format(2)).isEqualTo("-");
    }

    @Test
    void aModelWithoutAFigureGetsADashNotAZero() {
        FamilyRunResult captioner = run("captioner-small", 1, Map.of());
        assertThat(
                        FamiliesReport.retrievalMean(
                                List.of(captioner), FamilyRunResult.Retrieval::i2tR1))
                .isEqualTo(FamiliesReport.Spread.NONE);
        BenchResult table = FamiliesReport.of(List.of(captioner), List.of("x failed"), "settings");
        List<Object> row = table.rows().get(0);
        assertThat(row.get(0)).isEqualTo("captioner-small");
        assertThat(row.get(6)).isEqualTo("-");
        assertThat(table.toTable()).contains("FAILED: x failed");
    }

    @Test
    void theDenseBaselineIsLimoeWithOneExpertAtTheSameWidth() {
        ModelConfig sparse = FamilyVariant.named("limoe-small").model(260);
        ModelConfig dense = FamilyVariant.named("limoe-small-dense").model(260);
        assertThat(dense.family()).isEqualTo(ModelFamily.LIMOE);
        assertThat(dense.moe().experts()).isEqualTo(1);
        assertThat(sparse.moe().experts()).isGreaterThan(1);
        assertThat(dense.moe().topK()).isEqualTo(sparse.moe().topK()).isEqualTo(1);
        assertThat(dense.imageWidth()).isEqualTo(sparse.imageWidth());
        assertThat(dense.mlpRatio()).isEqualTo(sparse.mlpRatio());
        assertThat(
                        FamilyVariant.named("captioner-small-contrastive")
                                .model(260)
                                .decoder()
                                .contrastive())
                .isTrue();
        assertThat(FamilyVariant.named("captioner-small").model(260).decoder().contrastive())
                .isFalse();
        assertThatThrownBy(() -> FamilyVariant.named("b16"))
                .hasMessageContaining("limoe-small-dense");
    }

    @Test
    void aRunsSettingsAndResultTravelBetweenProcesses(@TempDir Path dir) throws Exception {
        FamilyTrainingRun.Settings settings =
                new FamilyTrainingRun.Settings(
                        FamilyVariant.named("clippo-small"),
                        43,
                        12.5,
                        2,
                        List.of("en", "ja"),
                        100,
                        10,
                        64);
        List<String> args = new ArrayList<>(settings.arguments());
        assertThat(
                        FamilyTrainingRun.Settings.parse(
                                BenchArguments.parse(args.toArray(String[]::new))))
                .isEqualTo(settings);
        FamilyRunResult result = run("clippo-small", 43, Map.of("en", retrieval(0.5, Double.NaN)));
        Path file = dir.resolve("r.json");
        FamilyTrainingRun.write(result, file);
        FamilyRunResult back = FamilyTrainingRun.read(file);
        assertThat(back.retrieval().get("en").i2tR5()).isNaN();
        assertThat(back.variant()).isEqualTo("clippo-small");
        assertThat(back.steps()).isEqualTo(result.steps());
    }

    @Test
    void theDataIsPreparedOncePerImageSizeRenderingAndCaptionSet() {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (FamilyVariant v : FamilyVariant.ALL) {
            keys.put(v.name(), FamilyTrainingRun.preparationKey(settings(v, 42)));
        }
        // Two towers and LIMoE (and its dense baseline) read one stream; the seed does not count.
        assertThat(keys.get("limoe-small")).isEqualTo(keys.get("small"));
        assertThat(keys.get("limoe-small-dense")).isEqualTo(keys.get("small"));
        assertThat(FamilyTrainingRun.preparationKey(settings(FamilyVariant.named("small"), 43)))
                .isEqualTo(keys.get("small"));
        // CLIPPO's captions are rendered, the captioners also need their caption set.
        assertThat(keys.get("clippo-small")).isNotEqualTo(keys.get("small")).endsWith("-rendered");
        assertThat(keys.get("captioner-small"))
                .isEqualTo(keys.get("captioner-small-contrastive"))
                .isNotEqualTo(keys.get("small"));
        assertThat(new java.util.HashSet<>(keys.values())).hasSize(3);
    }

    @Test
    void aTimedRunRefusesDataNobodyPrepared(@TempDir Path cache) throws Exception {
        ModelConfig model = FamilyVariant.named("small").model(260);
        List<String> langs = List.of("en", "de");
        assertThatThrownBy(() -> EmojiTask.readCached(langs, 10, model, null, cache))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("held-out set was not prepared");
        // A held-out folder written to the end, but no stream.
        Path heldOut = EmojiTask.heldOutFolderIn(langs, 10, cache);
        java.nio.file.Files.createDirectories(heldOut);
        java.nio.file.Files.createFile(heldOut.resolve(".complete"));
        assertThat(EmojiTask.cachedHeldOutFolder(langs, 10, cache)).isEqualTo(heldOut);
        assertThatThrownBy(() -> EmojiTask.readCached(langs, 10, model, null, cache))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream was not prepared");
    }

    private static FamilyTrainingRun.Settings settings(FamilyVariant v, int seed) {
        return new FamilyTrainingRun.Settings(v, seed, 20, 2, List.of("en", "ja"), 100, 10, 128);
    }

    private static FamilyRunResult.Retrieval retrieval(double r1, double r5) {
        return new FamilyRunResult.Retrieval(r1, r5, r1, r5, 0.002);
    }

    private static FamilyRunResult run(
            String variant, int seed, Map<String, FamilyRunResult.Retrieval> retrieval) {
        return new FamilyRunResult(
                variant, seed, 2, 60, 1000, 5000, 100, 61, 90, 10, 5, 8, 5, retrieval, Map.of(),
                900, 800, 600, 300, 50);
    }
}
