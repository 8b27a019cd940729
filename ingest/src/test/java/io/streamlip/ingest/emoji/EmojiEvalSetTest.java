package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.streamlip.ingest.pairs.PairsFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiEvalSetTest {
    @TempDir static Path dir;
    static EmojiData data;

    @BeforeAll
    static void fixture() throws IOException {
        data = EmojiFixture.write(dir.resolve("npm"));
    }

    private static EmojiEvalSet.Config config() {
        return EmojiEvalSet.Config.builder().locales(List.of("en", "de", "fr")).build();
    }

    @Test
    void writesTheTwitterImagesWithTheirNamesAsAPairsFolder() throws IOException {
        Path folder = dir.resolve("eval-all");
        EmojiEvalSet.Result result = EmojiEvalSet.write(data, folder, config());

        List<PairsFolder.Entry> entries = PairsFolder.read(folder);
        // 1f600: en de fr; 263a: en de; 1f44b: en de; flag: en de fr; unicorn: en de; flamingo: en
        // de
        assertThat(result.classes()).isEqualTo(6);
        assertThat(result.lines()).isEqualTo(14).isEqualTo(entries.size());
        assertThat(result.perLanguage())
                .containsOnly(entry("en", 6L), entry("de", 6L), entry("fr", 2L));
        assertThat(entries.get(0))
                .isEqualTo(
                        new PairsFolder.Entry("images/1f600.png", "grinning face", "en", "1f600"));
        assertThat(entries)
                .contains(
                        new PairsFolder.Entry(
                                "images/263a-fe0f.png", "lächelndes Gesicht", "de", "263a-fe0f"),
                        new PairsFolder.Entry(
                                "images/1f1e9-1f1ea.png",
                                "drapeau : Allemagne",
                                "fr",
                                "1f1e9-1f1ea"));
        assertThat(entries).noneMatch(e -> e.classLabel().contains("1f3fb"));
        assertThat(Files.readAllBytes(folder.resolve("images/1f600.png")))
                .isEqualTo(EmojiFixture.png("twitter", "1f600.png"));
        try (var images = Files.list(folder.resolve("images"))) {
            assertThat(images).hasSize(6);
        }
    }

    @Test
    void samplesAFixedNumberOfClassesBySeed() {
        EmojiEvalSet.Config two = config().toBuilder().maxClasses(2).build();
        EmojiEvalSet.Result a = EmojiEvalSet.write(data, dir.resolve("a"), two);
        assertThat(a.classes()).isEqualTo(2);
        List<PairsFolder.Entry> first = PairsFolder.read(dir.resolve("a"));
        EmojiEvalSet.write(data, dir.resolve("b"), two);
        assertThat(PairsFolder.read(dir.resolve("b"))).isEqualTo(first);
        assertThat(first.stream().map(PairsFolder.Entry::classLabel).distinct()).hasSize(2);

        List<List<String>> samples =
                java.util.stream.LongStream.range(0, 8)
                        .mapToObj(
                                seed -> {
                                    Path f = dir.resolve("seed-" + seed);
                                    EmojiEvalSet.write(data, f, two.toBuilder().seed(seed).build());
                                    return PairsFolder.read(f).stream()
                                            .map(PairsFolder.Entry::classLabel)
                                            .distinct()
                                            .toList();
                                })
                        .distinct()
                        .toList();
        assertThat(samples).hasSizeGreaterThan(1);
    }

    @Test
    void includesSkinToneVariantsWhenAsked() {
        Path folder = dir.resolve("skin");
        EmojiEvalSet.write(data, folder, config().toBuilder().skinTones(true).build());
        assertThat(PairsFolder.read(folder))
                .contains(
                        new PairsFolder.Entry(
                                "images/1f44b-1f3fb.png",
                                "waving hand: light skin tone",
                                "en",
                                "1f44b-1f3fb"));
    }

    @Test
    void refusesToWriteOverAnExistingSet() {
        Path folder = dir.resolve("twice");
        EmojiEvalSet.write(data, folder, config().toBuilder().maxClasses(1).build());
        assertThatThrownBy(() -> EmojiEvalSet.write(data, folder, config()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already holds an evaluation set");
    }

    @Test
    void refusesALocaleCldrDoesNotHave() {
        assertThatThrownBy(
                        () ->
                                EmojiEvalSet.write(
                                        data,
                                        dir.resolve("bad-locale"),
                                        EmojiEvalSet.Config.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no annotations for [es, pt, ru, ar, hi, ja, zh]");
    }
}
