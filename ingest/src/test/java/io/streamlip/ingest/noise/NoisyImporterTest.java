package io.streamlip.ingest.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.synthetic.SyntheticImporter;
import io.streamlip.schemas.RawPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The noise option of the commands: its spec, and an importer that injects and counts. */
class NoisyImporterTest {

    @Test
    void specsNameKindsWithRatesOrNoneOrTheDefaults() {
        NoiseConfig unrelated = NoiseConfig.parse(" unrelated_caption=0.1 , tiny = 0.02");
        assertThat(unrelated.rates())
                .isEqualTo(Map.of(NoiseKind.UNRELATED_CAPTION, 0.1, NoiseKind.TINY, 0.02));
        assertThat(unrelated.injects()).isTrue();
        assertThat(NoiseConfig.parse("none").injects()).isFalse();
        assertThat(NoiseConfig.parse("").injects()).isFalse();
        assertThat(NoiseConfig.parse("unrelated_caption=0").injects()).isFalse();
        assertThat(NoiseConfig.parse("defaults")).isEqualTo(NoiseConfig.defaults());
        assertThatThrownBy(() -> NoiseConfig.parse("unrelated=0.1"))
                .hasMessageContaining("unknown noise kind 'unrelated'")
                .hasMessageContaining("unrelated_caption")
                .hasMessageNotContaining("source_duplicate");
        assertThatThrownBy(() -> NoiseConfig.parse("unrelated_caption"))
                .hasMessageContaining("is not KIND=RATE");
        assertThatThrownBy(() -> NoiseConfig.parse("unrelated_caption=lots"))
                .hasMessageContaining("rate of unrelated_caption is not a number: 'lots'");
        assertThatThrownBy(() -> NoiseConfig.parse("unrelated_caption=1.5"))
                .hasMessageContaining("must be in [0, 1]");
        assertThatThrownBy(() -> NoiseConfig.parse("tiny=0.1,tiny=0.2"))
                .hasMessageContaining("tiny given twice");
        assertThatThrownBy(() -> NoiseConfig.parse("clean=0.1"))
                .hasMessageContaining("clean is not injected");
    }

    @Test
    void injectsAfterTheCleanPairsAndCountsEachIterationAnew() {
        SyntheticImporter clean = new SyntheticImporter(32, 400, 3);
        NoisyImporter noisy =
                new NoisyImporter(
                        clean,
                        new NoiseSimulator(NoiseConfig.parse("unrelated_caption=0.25"), List.of()));
        assertThat(noisy.expectedPairs()).isEqualTo(-1);
        assertThat(noisy.name()).isEqualTo(clean.name());

        List<RawPair> first = drain(noisy.pairs());
        Map<String, Long> emitted = noisy.emitted();
        assertThat(emitted.keySet())
                .containsExactly("clean", "source_duplicate", "unrelated_caption");
        assertThat(emitted.get("clean") + emitted.get("source_duplicate")).isEqualTo(400);
        assertThat(emitted.get("unrelated_caption")).isBetween(60L, 140L);
        assertThat(noisy.injected()).isEqualTo(emitted.get("unrelated_caption"));
        assertThat(first).hasSize(400 + (int) noisy.injected());
        Set<String> ids = new HashSet<>();
        first.forEach(p -> ids.add(p.getId().toString()));
        assertThat(ids).hasSize(first.size());
        // Each injected pair's kind is known by its id; the source's own pairs have none.
        long unrelated =
                first.stream()
                        .filter(
                                p ->
                                        noisy.injectedKind(p.getId().toString())
                                                == NoiseKind.UNRELATED_CAPTION)
                        .count();
        assertThat(unrelated).isEqualTo(emitted.get("unrelated_caption"));
        assertThat(noisy.injectedKind(clean.pairs().next().getId().toString())).isNull();
        assertThat(noisy.injectedKind("no-such-pair")).isNull();
        assertThat(noisy.injectedKind(null)).isNull();
        assertThat(noisy.untracked()).isZero();

        // A second pass (the bpe tokenizer reads the captions before the import) restarts the
        // counts, and the seeded simulator injects the same pairs again.
        List<RawPair> second = drain(noisy.pairs());
        assertThat(noisy.emitted()).isEqualTo(emitted);
        assertThat(second).hasSameSizeAs(first);
    }

    private static List<RawPair> drain(Iterator<RawPair> it) {
        List<RawPair> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
