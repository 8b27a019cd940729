package io.streamlip.ingest.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedSummaryTest {

    private static RawPair pair(String lang, String source) {
        return RawPair.newBuilder()
                .setId("x")
                .setImage(ByteBuffer.wrap(new byte[1]))
                .setAltText("x")
                .setSource(source)
                .setCrawlTime(Instant.EPOCH)
                .setLangHint(lang)
                .setAttributes(Map.of())
                .build();
    }

    @Test
    void languageKeysAreTagsOrInvalidAndTheirNumberIsBounded() {
        ImportStats.Builder b = ImportStats.builder("i".repeat(10_000));
        for (int i = 0; i < 1_000; i++) {
            b.count(pair("x-" + i, "s" + i));
        }
        b.count(pair(null, "s"));
        b.count(pair("e".repeat(36), "s"));
        b.count(pair("en US", "s"));
        ImportStats s = b.build();
        assertThat(s.perLanguage()).hasSize(ImportStats.MAX_KEYS);
        assertThat(s.perLanguage().get(ImportStats.OTHER)).isEqualTo(1_000 - 255 + 3);
        assertThat(s.perSource()).hasSize(ImportStats.MAX_KEYS);
        assertThat(s.importer()).hasSize(BoundedText.MAX_DETAIL);
        assertThat(s.pairs()).isEqualTo(1_003);

        ImportStats few =
                ImportStats.builder("i").count(pair(null, "s")).count(pair("a b", "s")).build();
        assertThat(few.perLanguage()).containsOnlyKeys("und", "invalid");
    }

    @Test
    void aCapKeepsOneLineAndMarksTheCut() {
        assertThat(BoundedText.cap("short", 10)).isEqualTo("short");
        assertThat(BoundedText.cap("a\nb\tc", 10)).isEqualTo("a b c");
        assertThat(BoundedText.cap("abcdefghijkl", 5)).isEqualTo("abcd\u2026");
        // A surrogate pair is never split.
        assertThat(BoundedText.cap("abc\uD83D\uDE00def", 5)).isEqualTo("abc\u2026");
    }

    @Test
    void rejectsStayBoundedWhateverTheInput() {
        Fuzz.run(
                "BoundedSummaryTest.rejects",
                300,
                20261206L,
                (i, random) ->
                        checkRejects(
                                Fuzz.string(random, 3000),
                                Fuzz.string(random, 3000),
                                random.nextInt(51)));
    }

    private static void checkRejects(String reason, String detail, int n) {
        ImportRejects.Builder b = ImportRejects.builder();
        for (int i = 0; i < n; i++) {
            b.add(i + 1, "r" + (i % 3), reason + detail);
        }
        ImportRejects r = b.build();
        assertThat(r.total()).isEqualTo(n);
        assertThat(r.examples()).hasSizeLessThanOrEqualTo(ImportRejects.MAX_EXAMPLES);
        assertThat(r.examples())
                .allSatisfy(
                        e -> {
                            assertThat(e.detail().length()).isLessThanOrEqualTo(200);
                            assertThat(e.detail()).doesNotContain("\n", "\r");
                        });
    }
}
