package io.streamlip.platform.bounds;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordBoundsTest {
    static final RecordBounds BOUNDS = RecordBounds.defaults();

    static RawPair pair() {
        return RawPair.newBuilder()
                .setId("pair-1")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setAltText("a red circle")
                .setPageTitle("Shapes")
                .setPageContext("Some shapes in colours.")
                .setSource("test")
                .setCrawlTime(Instant.ofEpochMilli(1000))
                .setLangHint("en-GB")
                .setAttributes(Map.of("class", "circle"))
                .build();
    }

    static String refusal(Verdict<?> verdict) {
        return verdict instanceof Verdict.Refused<?> r
                ? r.reason().code() + ": " + r.detail()
                : null;
    }

    @Test
    void languageTagsAreKeptAndAnythingElseIsUndetermined() {
        assertThat(RecordBounds.languageTag(null)).isNull();
        for (String tag :
                new String[] {"en", "pt-PT", "zh-Hant-TW", "sr-Latn", "de-CH-1996", "i-klingon"}) {
            assertThat(RecordBounds.languageTag(tag)).as(tag).isEqualTo(tag);
        }
        assertThat(RecordBounds.languageTag("pt_PT")).isEqualTo("pt-PT");
        assertThat(RecordBounds.languageTag("a".repeat(35))).isEqualTo("und");
        String longest = "en-" + "a1234567-".repeat(3) + "bcdef";
        assertThat(longest).hasSize(35);
        assertThat(RecordBounds.languageTag(longest)).isEqualTo(longest);
        assertThat(RecordBounds.languageTag(longest + "g")).isEqualTo("und");
        for (String junk :
                new String[] {
                    "",
                    "x".repeat(9_000_000),
                    "en--GB",
                    "-en",
                    "en-",
                    "en GB",
                    "1en",
                    "ünd",
                    "en-abcdefghi",
                    "de\n",
                    "e\u0000n"
                }) {
            assertThat(RecordBounds.languageTag(junk))
                    .as(junk.length() > 40 ? junk.length() + " chars" : junk)
                    .isEqualTo("und");
        }
        assertThat(RecordBounds.languageTag("x".repeat(36))).isEqualTo("und");
    }

    @Test
    void aPairWithinBoundsIsTheSameObject() {
        RawPair pair = pair();
        assertThat(BOUNDS.bound(pair).value()).isSameAs(pair);
    }

    @Test
    void identityFieldsBeyondTheirBoundAreRefusedNamingTheField() {
        assertThat(refusal(BOUNDS.bound(RawPair.newBuilder(pair()).setId("i".repeat(513)).build())))
                .isEqualTo("field_too_large: id has 513 chars, more than 512");
        assertThat(
                        refusal(
                                BOUNDS.bound(
                                        RawPair.newBuilder(pair())
                                                .setSource("s".repeat(300))
                                                .build())))
                .startsWith("field_too_large: source has 300 chars");
        assertThat(
                        refusal(
                                BOUNDS.bound(
                                        RawPair.newBuilder(pair())
                                                .setImageUrl("https://x/" + "u".repeat(9000))
                                                .build())))
                .startsWith("field_too_large: image_url has 9010 chars");
        assertThat(
                        refusal(
                                BOUNDS.bound(
                                        RawPair.newBuilder(pair())
                                                .setAltText("a".repeat(16_385))
                                                .build())))
                .startsWith("caption_too_long: alt_text has 16385 chars");
    }

    @Test
    void attributesAreBoundedInCountKeyAndValue() {
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("k" + i, "v");
        }
        assertThat(refusal(BOUNDS.bound(RawPair.newBuilder(pair()).setAttributes(many).build())))
                .isEqualTo("field_too_large: attributes has 65 entries, more than 64");
        assertThat(
                        refusal(
                                BOUNDS.bound(
                                        RawPair.newBuilder(pair())
                                                .setAttributes(Map.of("k".repeat(129), "v"))
                                                .build())))
                .startsWith("field_too_large: attributes key has 129 chars");
        assertThat(
                        refusal(
                                BOUNDS.bound(
                                        RawPair.newBuilder(pair())
                                                .setAttributes(Map.of("class", "v".repeat(4097)))
                                                .build())))
                .startsWith("field_too_large: attributes value of 'class' has 4097 chars");
    }

    @Test
    void freeTextIsCutAndAnInvalidHintBecomesUndWithoutCopyingTheImage() {
        RawPair pair =
                RawPair.newBuilder(pair())
                        .setPageTitle("t".repeat(5000))
                        .setPageContext("c".repeat(16_383) + "\uD83D\uDE00" + "c".repeat(100))
                        .setLangHint("x".repeat(9_000_000))
                        .build();
        RawPair bounded = BOUNDS.bound(pair).value();
        assertThat(bounded.getPageTitle()).hasSize(1024).endsWith("…");
        // The cut falls inside the emoji's surrogate pair: the whole emoji goes.
        assertThat(bounded.getPageContext()).isEqualTo("c".repeat(16_383) + "…");
        assertThat(bounded.getLangHint()).isEqualTo("und");
        assertThat(bounded.getImage()).isSameAs(pair.getImage());
        assertThat(bounded.getId()).isEqualTo(pair.getId());
        assertThat(bounded.getAttributes()).isEqualTo(pair.getAttributes());
    }

    @Test
    void theDefaultsLeaveAnImageAtTheFiltersBoundRoomInARecord() {
        long eightMiB = 8L * 1024 * 1024;
        assertThat(BOUNDS.maxRecordBytes()).isEqualTo(PipelineTopics.MAX_MESSAGE_BYTES);
        assertThat(
                        RecordSize.fits(
                                512 * 3,
                                eightMiB + BOUNDS.textBudgetBytes() + 4096,
                                BOUNDS.maxRecordBytes()))
                .isTrue();
    }
}
