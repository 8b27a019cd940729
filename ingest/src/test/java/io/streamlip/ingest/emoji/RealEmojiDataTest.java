package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamlip.ingest.importer.ImportListener;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.pairs.PairsFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the real npm tarballs where this machine has them (the folder in {@code STREAMLIP_DATA}
 * or its {@code npm/} subfolder, or the project's {@code data/}, where {@code streamlip demo}
 * fetches them) and is skipped otherwise. Checks counts a user should see, and logs them.
 */
@Tag("integration")
class RealEmojiDataTest {
    private static final Logger LOG = LoggerFactory.getLogger(RealEmojiDataTest.class);

    @TempDir Path dir;
    static EmojiData data;

    @BeforeAll
    static void find() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("STREAMLIP_DATA");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
            candidates.add(Path.of(env, "npm"));
        }
        candidates.add(Path.of("..", "data")); // where `streamlip demo` fetches them
        data =
                candidates.stream()
                        .map(EmojiData::at)
                        .filter(d -> Files.isDirectory(d.folder()) && d.missing().isEmpty())
                        .findFirst()
                        .orElse(null);
        assumeTrue(
                data != null,
                "the emoji corpus tarballs are not on this machine (looked in "
                        + candidates
                        + "); set STREAMLIP_DATA to a folder that has them to run this test");
    }

    @Test
    void googleWithEveryLocaleGivesAbout230kPairsInOver100Languages() {
        long start = System.nanoTime();
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data, EmojiCorpus.Config.builder().vendors(List.of("google")).build());
        long opened = System.nanoTime();
        long[] imageBytes = {0};
        Set<String> classes = new HashSet<>();
        ImportStats stats =
                corpus.importTo(
                        p -> {
                            imageBytes[0] += p.getImage().remaining();
                            classes.add(p.getAttributes().get("class"));
                        },
                        ImportListener.NONE);
        long done = System.nanoTime();
        long wellCovered =
                stats.perLanguage().values().stream().filter(n -> n >= 0.9 * 1911).count();
        LOG.info(
                "google: {} base images, {} classes paired, {} locales ({} naming >= 90% of the"
                        + " emoji), {} pairs, skipped {}, {} MB of image bytes handed over; opened"
                        + " in {} ms, pairs built in {} ms",
                corpus.imagesPerVendor().get("google"),
                classes.size(),
                corpus.locales().size(),
                wellCovered,
                stats.pairs(),
                stats.skipped(),
                imageBytes[0] / 1_000_000,
                (opened - start) / 1_000_000,
                (done - opened) / 1_000_000);

        assertThat(corpus.imagesPerVendor().get("google")).isBetween(1800, 2100);
        assertThat(classes).hasSizeBetween(1800, 2100);
        assertThat(corpus.locales()).hasSizeGreaterThan(150).contains("en", "zh-Hant", "pt-PT");
        assertThat(wellCovered).isGreaterThan(95);
        assertThat(stats.pairs()).isBetween(200_000L, 260_000L);
        assertThat(stats.perLanguage().get("en"))
                .isEqualTo(corpus.imagesPerVendor().get("google").longValue());
    }

    @Test
    void theTwitterEvaluationSetInTenLanguages() {
        Path folder = dir.resolve("eval");
        EmojiEvalSet.Result result =
                EmojiEvalSet.write(data, folder, EmojiEvalSet.Config.defaults());
        List<PairsFolder.Entry> entries = PairsFolder.read(folder);
        long bytes;
        try (Stream<Path> images = Files.list(folder.resolve("images"))) {
            bytes = images.mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        LOG.info(
                "twitter evaluation set, {} locales: {} classes, {} lines, {} MB of images, {}",
                result.perLanguage().size(),
                result.classes(),
                result.lines(),
                bytes / 1_000_000,
                result.perLanguage());
        assertThat(result.classes()).isBetween(1800, 2100);
        assertThat(entries).hasSize((int) result.lines());
        assertThat(result.perLanguage()).hasSize(10);
        assertThat(result.perLanguage().values()).allMatch(n -> n >= 1800);
        assertThat(entries)
                .contains(
                        new PairsFolder.Entry("images/1f600.png", "grinning face", "en", "1f600"));

        Path small = dir.resolve("eval-200");
        EmojiEvalSet.Result sample =
                EmojiEvalSet.write(
                        data, small, EmojiEvalSet.Config.builder().maxClasses(200).build());
        assertThat(sample.classes()).isEqualTo(200);
        assertThat(sample.lines()).isBetween(1900L, 2000L);
        assertThat(Map.copyOf(sample.perLanguage())).containsEntry("en", 200L);
    }
}
