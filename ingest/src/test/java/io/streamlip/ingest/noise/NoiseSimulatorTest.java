package io.streamlip.ingest.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoiseSimulatorTest {
    static List<NoisyPair> simulate(NoiseConfig config, int cleanPairs, long seed) {
        List<NoiseSimulator.EvalImage> eval =
                List.of(
                        new NoiseSimulator.EvalImage(
                                Images.png(ImageNoise.logo(new java.util.SplittableRandom(9))),
                                "a held-out logo",
                                "en"));
        Iterator<NoisyPair> it =
                new NoiseSimulator(config, eval)
                        .wrap(new SyntheticPairs(32).pairs(cleanPairs, seed));
        List<NoisyPair> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static NoiseConfig everything(double rate) {
        NoiseConfig.Builder config = NoiseConfig.builder().captionsPerImage(5);
        for (NoiseKind kind : NoiseKind.values()) {
            if (kind != NoiseKind.CLEAN && kind != NoiseKind.SOURCE_DUPLICATE) {
                config.rate(kind, rate);
            }
        }
        return config.build();
    }

    @Test
    void injectsEveryKindAfterTheCleanPairsInOrder() {
        List<RawPair> clean = new ArrayList<>();
        new SyntheticPairs(32).pairs(200, 3).forEachRemaining(clean::add);
        List<NoisyPair> noisy = simulate(everything(0.1), 200, 3);

        Map<NoiseKind, Long> counts =
                noisy.stream()
                        .collect(
                                Collectors.groupingBy(
                                        NoisyPair::kind,
                                        () -> new EnumMap<>(NoiseKind.class),
                                        Collectors.counting()));
        for (NoiseKind kind : NoiseKind.values()) {
            if (kind != NoiseKind.SOURCE_DUPLICATE) {
                assertThat(counts).as(kind.code()).containsKey(kind);
            }
        }
        assertThat(noisy.stream().map(p -> p.pair().getId()).filter(id -> !id.contains("#")))
                .containsExactlyElementsOf(clean.stream().map(RawPair::getId).toList());
        assertThat(noisy.stream().filter(p -> !p.pair().getId().contains("#")))
                .allSatisfy(p -> assertThat(p.kind()).isEqualTo(NoiseKind.CLEAN));
        assertThat(noisy.stream().map(p -> p.pair().getId())).doesNotHaveDuplicates();
    }

    @Test
    void damagedImagesAreWhatTheirKindSays() {
        List<NoisyPair> noisy = simulate(everything(0.1), 200, 5);
        for (NoisyPair p : noisy) {
            byte[] image = NoiseSimulator.bytes(p.pair().getImage());
            switch (p.kind()) {
                case BOMB -> {
                    assertThat(Images.probe(image)).isPresent();
                    assertThat(Images.probe(image).get().pixels()).isEqualTo(2_500_000_000L);
                    assertThat(image.length).isLessThan(10_000);
                }
                case TINY ->
                        assertThat(
                                        Math.max(
                                                Images.probe(image).get().width(),
                                                Images.probe(image).get().height()))
                                .isLessThanOrEqualTo(8);
                case ASPECT -> assertThat(Images.probe(image).get().pixels()).isEqualTo(256 * 16);
                case TRUNCATED, CORRUPT ->
                        assertThatThrownBy(() -> Images.decode(image))
                                .isInstanceOf(Images.UndecodableImageException.class);
                case NEAR_DUPLICATE -> assertThat(Images.probe(image)).isPresent();
                default -> {}
            }
        }
    }

    @Test
    void isDeterministicForASeedAndLabelsSourceRepeats() {
        List<NoisyPair> a = simulate(everything(0.05), 100, 1);
        List<NoisyPair> b = simulate(everything(0.05), 100, 1);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).pair().getId()).isEqualTo(b.get(i).pair().getId());
            assertThat(a.get(i).pair().getAltText()).isEqualTo(b.get(i).pair().getAltText());
            assertThat(a.get(i).pair().getImage()).isEqualTo(b.get(i).pair().getImage());
            assertThat(a.get(i).kind()).isEqualTo(b.get(i).kind());
        }

        RawPair pair = new SyntheticPairs(32).pairs(1, 1).next();
        List<NoisyPair> twice = new ArrayList<>();
        new NoiseSimulator(NoiseConfig.none(), List.of())
                .wrap(List.of(pair, RawPair.newBuilder(pair).setId("again").build()).iterator())
                .forEachRemaining(twice::add);
        assertThat(twice)
                .extracting(NoisyPair::kind)
                .containsExactly(NoiseKind.CLEAN, NoiseKind.SOURCE_DUPLICATE);
    }

    @Test
    void groundTruthTravelsAsHeaderAndSideFile(@TempDir Path dir) {
        List<NoisyPair> noisy = simulate(everything(0.05), 50, 2);
        for (NoisyPair p : noisy) {
            assertThat(GroundTruth.kindOf(GroundTruth.headers(p))).isEqualTo(p.kind());
        }
        Path file = dir.resolve("truth.tsv");
        try (GroundTruth.SideFile side = new GroundTruth.SideFile(file)) {
            noisy.forEach(side::add);
        }
        Map<String, NoiseKind> read = GroundTruth.read(file);
        assertThat(read).hasSize(noisy.size());
        noisy.forEach(p -> assertThat(read.get(p.pair().getId())).isEqualTo(p.kind()));
    }

    @Test
    void rejectsBadConfigs() {
        assertThatThrownBy(() -> NoiseConfig.builder().rate(NoiseKind.BOMB, 1.5).build())
                .hasMessageContaining("bomb");
        assertThatThrownBy(() -> NoiseConfig.builder().rate(NoiseKind.CLEAN, 0.1).build())
                .hasMessageContaining("not injected");
    }
}
