package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamlip demo --source DIR}: a user's pairs folder, its held-out evaluation set, and its
 * bad lines as import rejects. The integration test runs the whole demo on it.
 */
class DemoFolderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COLOURS = {
        "red", "green", "blue", "yellow", "purple", "orange", "black", "white"
    };
    private static final String[] THINGS = {
        "cat", "bicycle", "teapot", "mountain", "sailboat", "umbrella", "guitar", "lighthouse"
    };
    private static final int BAD_LINES = 3;

    /**
     * {@code good} lines with distinct noise PNGs (64 px), every tenth one with a {@code class},
     * then three bad lines: not JSON, an image that is missing, no text.
     */
    static Path pairsFolder(Path dir, int good) throws IOException {
        Path folder = dir.resolve("my-pairs");
        try (PairsFolder.Writer writer = new PairsFolder.Writer(folder)) {
            for (int i = 0; i < good; i++) {
                String image =
                        writer.image(
                                "img" + i + ".png", Images.png(TestImages.noise(64, 64, 1000 + i)));
                String text =
                        "a "
                                + COLOURS[i % COLOURS.length]
                                + " "
                                + THINGS[(i / COLOURS.length) % THINGS.length]
                                + " in picture "
                                + i;
                writer.add(new PairsFolder.Entry(image, text, "en", i % 10 == 0 ? "c" + i : null));
            }
        }
        Files.writeString(
                folder.resolve(PairsFolder.INDEX),
                "{\"image\": \"images/img0.png\", \"text\": oops\n"
                        + "{\"image\": \"images/gone.png\", \"text\": \"a lost picture\"}\n"
                        + "{\"image\": \"images/img1.png\"}\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        return folder;
    }

    @Test
    void heldOutImagesAreLeftOutOfTheImportAndBadLinesAreRejects(@TempDir Path dir)
            throws IOException {
        Path folder = pairsFolder(dir, 60);
        Path heldOut = dir.resolve("eval");
        DemoFolder data = DemoFolder.open(folder, 0.25, 0, heldOut, 32);

        assertThat(data.evalSet()).isEqualTo(heldOut);
        assertThat(data.heldOutImages()).isBetween(2L, 59L);
        assertThat(data.heldOutPairs()).isEqualTo(data.heldOutImages()); // one line per image
        assertThat(data.languages()).containsExactly("en");
        List<PairsFolder.Entry> eval = PairsFolder.read(heldOut);
        assertThat(eval).hasSize((int) data.heldOutPairs());
        // Every held-out line has a class: its own, or its image's path.
        assertThat(eval).allSatisfy(e -> assertThat(e.classLabel()).isNotBlank());

        List<RawPair> imported = new ArrayList<>();
        ImportStats stats = data.importer().importTo(imported::add, (done, total) -> {});
        assertThat(imported).hasSize(60 - (int) data.heldOutPairs());
        assertThat(data.importer().expectedPairs()).isEqualTo(imported.size());
        assertThat(stats.skipped()).containsEntry(DemoFolder.HELD_OUT, data.heldOutPairs());
        assertThat(stats.rejected().total()).isEqualTo(BAD_LINES);
        assertThat(stats.rejected().perReason())
                .containsOnly(
                        entry("not_json", 1L),
                        entry("image_missing", 1L),
                        entry("missing_field", 1L));
        // No held-out text is imported: the evaluation set is really held out.
        Set<String> evalTexts = new HashSet<>();
        eval.forEach(e -> evalTexts.add(e.text()));
        assertThat(imported).noneMatch(p -> evalTexts.contains(p.getAltText()));

        // The same folder gives the same split: it follows the images' bytes.
        DemoFolder again = DemoFolder.open(folder, 0.25, 0, dir.resolve("eval2"), 32);
        assertThat(PairsFolder.read(dir.resolve("eval2"))).isEqualTo(eval);
        // A limit keeps a prefix of the same choice.
        DemoFolder two = DemoFolder.open(folder, 0.25, 2, dir.resolve("eval3"), 32);
        assertThat(two.heldOutImages()).isEqualTo(2);
        assertThat(again.heldOutImages()).isEqualTo(data.heldOutImages());
    }

    @Test
    void noHoldoutOrTooFewImagesMakeNoEvaluationSet(@TempDir Path dir) throws IOException {
        Path folder = pairsFolder(dir, 6);
        DemoFolder none = DemoFolder.open(folder, 0, 0, dir.resolve("eval"), 32);
        assertThat(none.evalSet()).isNull();
        assertThat(none.importer().expectedPairs()).isEqualTo(6);
        assertThat(dir.resolve("eval")).doesNotExist();
        // A share so small that at most one image falls into it: no set of one image.
        DemoFolder tiny = DemoFolder.open(folder, 1e-9, 0, dir.resolve("eval"), 32);
        assertThat(tiny.evalSet()).isNull();
        assertThat(tiny.importer().expectedPairs()).isEqualTo(6);
    }

    @Test
    void aUserEvaluationSetNeedsAClassOnEveryLine(@TempDir Path dir) throws IOException {
        Path folder = pairsFolder(dir, 12);
        Path noClass = dir.resolve("no-class");
        try (PairsFolder.Writer writer = new PairsFolder.Writer(noClass)) {
            String image = writer.image("a.png", TestImages.png(32, 32));
            writer.add(new PairsFolder.Entry(image, "a noisy square", "en", "square"));
            writer.add(new PairsFolder.Entry(image, "noise", "en", null));
        }
        Run run = run("demo", "--source=" + folder, "--eval-set=" + noClass, "--minutes=0.1");
        assertThat(run.code()).isNotZero();
        assertThat(run.err()).contains("--eval-set").contains("pair 2").contains("has no class");
        // A malformed line in an evaluation set is an error too, not a reject: it is the yardstick.
        Run malformed = run("demo", "--source=" + folder, "--eval-set=" + folder);
        assertThat(malformed.code()).isNotZero();
        assertThat(malformed.err()).contains("--eval-set").contains("not_json");
        Run words = run("demo", "--source=synthetic", "--eval-set=" + folder);
        assertThat(words.code()).isNotZero();
        assertThat(words.err()).contains("--eval-set goes with a pairs folder");
        Run holdout = run("demo", "--source=" + folder, "--holdout=1");
        assertThat(holdout.code()).isNotZero();
        assertThat(holdout.err()).contains("holdout must be in [0, 1)");
    }

    @Test
    @Tag("integration")
    void demoTrainsOnAPairsFolderAndCountsItsBadLines(@TempDir Path dir) throws Exception {
        Path folder = pairsFolder(dir, 48);
        Path out = dir.resolve("demo");
        Run demo =
                run(
                        "demo",
                        "--source=" + folder,
                        "--holdout=0.25",
                        "--minutes=0.25",
                        "--batch-size=8",
                        "--threads=1",
                        "--tokenizer=bpe:300",
                        "--out=" + out,
                        "--json");
        assertThat(demo.code()).as(demo.err()).isZero();
        JsonNode summary = JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.path("status").asText()).isEqualTo("ok");
        assertThat(summary.path("source").asText()).isEqualTo("folder:my-pairs");
        assertThat(summary.path("languages").toString()).isEqualTo("[\"en\"]");

        JsonNode imported = summary.path("import");
        long heldOut = imported.path("skipped").path(DemoFolder.HELD_OUT).asLong();
        assertThat(heldOut).isPositive();
        assertThat(imported.path("pairs").asLong()).isEqualTo(48 - heldOut);
        assertThat(imported.path("rejected").path("total").asLong()).isEqualTo(BAD_LINES);
        assertThat(imported.path("rejected").path("per_reason").size()).isEqualTo(3);
        assertThat(DemoCommand.table(summary, out.resolve("summary.json")))
                .containsPattern("refused lines +3 ")
                .contains("image_missing");
        assertThat(summary.path("raw").asLong()).isEqualTo(48 - heldOut);
        assertThat(summary.path("curated").asLong() + summary.path("rejected_total").asLong())
                .isEqualTo(48 - heldOut);

        // Training ran, with the tokenizer trained from the folder's captions, and was evaluated
        // on the held-out images.
        assertThat(summary.path("steps").asLong()).isPositive();
        assertThat(summary.path("tokenizer").path("version").asText()).startsWith("bpe");
        assertThat(summary.path("tokenizer").path("captions_read").asLong())
                .isEqualTo(48 - heldOut);
        assertThat(summary.path("eval_set").asText())
                .isEqualTo(out.resolve("eval-heldout").toString());
        assertThat(summary.path("eval").path("mean").path("n").asLong()).isEqualTo(heldOut);
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        DemoCommandTest.Run r = DemoCommandTest.run(args);
        return new Run(r.code(), r.out(), r.err());
    }
}
