package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import org.junit.jupiter.api.Test;

/** What an example copies from a curated pair is bounded, and so is the example. */
class ExampleBudgetTest {
    final RawPair raw = new SyntheticPairs(32).pairs(1, 3).next();

    static String refusal(Verdict<?> verdict) {
        return verdict instanceof Verdict.Refused<?> r
                ? r.reason().code() + ": " + r.detail()
                : null;
    }

    @Test
    void aLanguageThatIsNoTagBecomesUndAndOversizedFieldsAreRefused() {
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        Example example =
                builder.build(
                                TokenizeFuzzTest.curated(
                                        raw, "a red circle", "x".repeat(100_000), raw.getImage()))
                        .value();
        assertThat(example.getLang()).isEqualTo("und");
        assertThat(
                        refusal(
                                builder.build(
                                        TokenizeFuzzTest.curated(
                                                RawPair.newBuilder(raw)
                                                        .setId("i".repeat(600))
                                                        .build(),
                                                "a red circle",
                                                "en",
                                                raw.getImage()))))
                .isEqualTo("field_too_large: id has 600 chars, more than 512");
        assertThat(
                        refusal(
                                builder.build(
                                        TokenizeFuzzTest.curated(
                                                raw, "c".repeat(20_000), "en", raw.getImage()))))
                .startsWith("caption_too_long: caption has 20000 chars");
    }

    @Test
    void anExampleTooLargeForItsTopicIsRefused() {
        ExampleBuilder builder =
                new ExampleBuilder(
                        TokenizeConfig.builder()
                                .bounds(RecordBounds.builder().maxRecordBytes(3500).build())
                                .build());
        CuratedPair curated = TokenizeFuzzTest.curated(raw, "a red circle", "en", raw.getImage());
        assertThat(refusal(builder.build(curated)))
                .startsWith("record_too_large: example of ")
                .endsWith("does not fit the topic limit of 3500");
        assertThat(new ExampleBuilder(TokenizeConfig.defaults()).build(curated).accepted())
                .isTrue();
    }
}
