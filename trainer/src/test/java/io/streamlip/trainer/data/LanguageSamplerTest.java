package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanguageSamplerTest {
    private static final ShuffleConfig WEIGHTED =
            ShuffleConfig.of(8, 8).toBuilder()
                    .languageWeights(Map.of("de", 0.25, "en", 1.0))
                    .defaultWeight(0.5)
                    .build();

    @Test
    void withoutWeightsKeepsAllAndLeavesTheGeneratorAlone() {
        StreamRandom random = new StreamRandom(3);
        LanguageSampler sampler = new LanguageSampler(ShuffleConfig.of(8, 8), random);
        for (String lang : new String[] {"en", "de", null}) {
            assertThat(sampler.keep(lang)).isTrue();
        }
        assertThat(random.state()).isEqualTo(3);
        assertThat(sampler.sampledOut()).isZero();
    }

    @Test
    void theHeaviestLanguageIsKeptWithoutADraw() {
        StreamRandom random = new StreamRandom(3);
        LanguageSampler sampler = new LanguageSampler(WEIGHTED, random);
        for (int i = 0; i < 100; i++) {
            assertThat(sampler.keep("en")).isTrue();
        }
        assertThat(random.state()).isEqualTo(3);
    }

    @Test
    void keepsALighterLanguageWithItsProbabilityAndCountsTheRest() {
        LanguageSampler sampler = new LanguageSampler(WEIGHTED, new StreamRandom(11));
        int de = 0;
        int other = 0;
        for (int i = 0; i < 4000; i++) {
            de += sampler.keep("de") ? 1 : 0;
            other += sampler.keep(null) ? 1 : 0; // unknown: the default weight, 0.5
        }
        // binomial(4000, 0.25): 1000 +- 27; binomial(4000, 0.5): 2000 +- 32
        assertThat(de).isBetween(900, 1100);
        assertThat(other).isBetween(1880, 2120);
        assertThat(sampler.sampledOut()).isEqualTo(8000 - de - other);
    }

    @Test
    void theSameSeedDrawsTheSameMix() {
        assertThat(draws(5)).isEqualTo(draws(5)).isNotEqualTo(draws(6));
    }

    private static List<Boolean> draws(long seed) {
        LanguageSampler sampler = new LanguageSampler(WEIGHTED, new StreamRandom(seed));
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            out.add(sampler.keep(i % 2 == 0 ? "de" : "fr"));
        }
        return out;
    }
}
