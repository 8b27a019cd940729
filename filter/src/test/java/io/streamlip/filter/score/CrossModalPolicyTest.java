package io.streamlip.filter.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossModalPolicyTest {

    @Test
    void runningQuantileTracksTheLastWindowOfValues() {
        RunningQuantile q = new RunningQuantile(4);
        assertThatThrownBy(() -> q.quantile(0.5)).isInstanceOf(IllegalStateException.class);
        for (float v : new float[] {5, 1, 3, 2}) {
            q.add(v);
        }
        assertThat(q.quantile(0)).isEqualTo(1f);
        assertThat(q.quantile(0.5)).isEqualTo(3f);
        assertThat(q.quantile(1)).isEqualTo(5f);
        q.add(4); // drops the oldest (5)
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.quantile(1)).isEqualTo(4f);
        q.add(1); // drops the old 1: the window is 3, 2, 4, 1
        assertThat(q.quantile(0)).isEqualTo(1f);
        assertThat(q.quantile(0.5)).isEqualTo(3f);
    }

    @Test
    void runningQuantileMatchesSortingTheWindow() {
        Random random = new Random(3);
        RunningQuantile q = new RunningQuantile(50);
        float[] all = new float[500];
        for (int i = 0; i < all.length; i++) {
            all[i] = random.nextInt(20) / 4f; // many ties
            q.add(all[i]);
            int from = Math.max(0, i - 49);
            float[] window = java.util.Arrays.copyOfRange(all, from, i + 1);
            java.util.Arrays.sort(window);
            for (double p : new double[] {0, 0.1, 0.5, 0.9, 1}) {
                assertThat(q.quantile(p))
                        .isEqualTo(window[Math.min(window.length - 1, (int) (p * window.length))]);
            }
        }
    }

    @Test
    void keepsTheTopFractionOfEachLanguageAgainstItself() {
        CrossModalPolicy policy =
                new CrossModalPolicy(
                        CrossModalConfig.builder().topFraction(0.5).window(10).warmup(4).build());
        // Warm-up: the first 3 scores of a language pass whatever they are.
        for (int i = 0; i < 3; i++) {
            assertThat(policy.decide("de", -0.9f).keep()).isTrue();
        }
        // English scores are far higher than German ones; each language is cut on its own.
        int enKept = 0;
        int deKept = 0;
        for (int i = 0; i < 100; i++) {
            float u = (i * 37 % 100) / 100f;
            enKept += policy.decide("en", 0.5f + u * 0.1f).keep() ? 1 : 0;
            deKept += policy.decide("de", -0.5f + u * 0.1f).keep() ? 1 : 0;
        }
        assertThat(enKept).isBetween(45, 65);
        assertThat(deKept).isBetween(45, 65);
        CrossModalPolicy.Decision refused = policy.decide("de", -1f);
        assertThat(refused.keep()).isFalse();
        assertThat(refused.detail()).contains("top 50%").contains("de");
    }

    @Test
    void aThresholdKeepsWhatTheFractionWouldDropAndAloneCutsAbsolutely() {
        CrossModalConfig config =
                CrossModalConfig.builder()
                        .thresholds(Map.of("en", 0.3))
                        .defaultThreshold(Double.NaN)
                        .topFraction(0.1)
                        .window(10)
                        .warmup(1)
                        .build();
        CrossModalPolicy policy = new CrossModalPolicy(config);
        for (int i = 0; i < 10; i++) {
            policy.decide("en", 0.9f);
        }
        assertThat(policy.decide("en", 0.35f).keep()).isTrue(); // above the threshold
        assertThat(policy.decide("en", 0.2f).keep()).isFalse(); // neither
        // Threshold only: languages with a threshold are cut absolutely, others pass.
        CrossModalPolicy thresholds =
                new CrossModalPolicy(
                        config.toBuilder()
                                .topFraction(0)
                                .window(10)
                                .warmup(1)
                                .thresholds(Map.of("en", 0.3))
                                .defaultThreshold(0.1)
                                .build());
        assertThat(thresholds.decide("en", 0.29f).keep()).isFalse();
        assertThat(thresholds.decide("en", 0.29f).detail()).contains("threshold 0.3000");
        assertThat(thresholds.decide("fr", 0.11f).keep()).isTrue();
        assertThat(thresholds.decide("fr", 0.09f).keep()).isFalse();
        CrossModalPolicy none =
                new CrossModalPolicy(
                        config.toBuilder()
                                .topFraction(0)
                                .window(10)
                                .warmup(1)
                                .thresholds(Map.of())
                                .defaultThreshold(Double.NaN)
                                .build());
        assertThat(none.decide("fr", -1f).keep()).isTrue();
    }

    @Test
    void aNewModelStartsItsWarmUpAfresh() {
        CrossModalPolicy policy =
                new CrossModalPolicy(
                        CrossModalConfig.builder().topFraction(0.5).window(10).warmup(5).build());
        for (int i = 0; i < 10; i++) {
            policy.decide("en", 0.9f);
        }
        assertThat(policy.decide("en", 0.1f).keep()).isFalse();
        policy.reset();
        assertThat(policy.decide("en", 0.1f).keep()).isTrue();
    }

    @Test
    void aLanguageInWarmUpIsJudgedByEveryLanguagesRecentScores() {
        CrossModalPolicy policy =
                new CrossModalPolicy(
                        CrossModalConfig.builder().topFraction(0.5).window(20).warmup(5).build());
        // Sixteen languages, two pairs each: none reaches its own warm-up of five.
        int refused = 0;
        for (int round = 0; round < 2; round++) {
            for (int lang = 0; lang < 16; lang++) {
                float score = lang % 2 == 0 ? 0.8f : 0.1f;
                CrossModalPolicy.Decision d = policy.decide("l" + lang, score);
                if (!d.keep()) {
                    refused++;
                    assertThat(d.detail()).contains("(all languages') scores");
                    assertThat(score).isEqualTo(0.1f);
                }
            }
        }
        // The low half is refused once the pool holds five scores, not after 16 x 5 pairs.
        assertThat(refused).isGreaterThanOrEqualTo(12);
        // A language with its own warm-up is cut against itself.
        for (int i = 0; i < 5; i++) {
            policy.decide("en", 0.05f);
        }
        assertThat(policy.decide("en", 0.06f).detail()).isEmpty();
        assertThat(policy.decide("en", 0.04f).detail()).contains("en scores");
    }

    @Test
    void refusesConfigurationsThatCannotWork() {
        assertThatThrownBy(
                        () ->
                                CrossModalConfig.builder()
                                        .topFraction(1.5)
                                        .window(10)
                                        .warmup(1)
                                        .build())
                .hasMessageContaining("topFraction");
        assertThatThrownBy(
                        () ->
                                CrossModalConfig.builder()
                                        .topFraction(0.5)
                                        .window(10)
                                        .warmup(11)
                                        .build())
                .hasMessageContaining("warmup");
    }
}
