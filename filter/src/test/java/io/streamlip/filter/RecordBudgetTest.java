package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Findings 1 and 6 of issue 14 at the curator: every raw field within a budget; a real U+FFFD. */
class RecordBudgetTest {
    static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    final PairCurator curator = PairCurator.withoutEvalSets(FilterConfig.defaults());
    final RawPair good = new SyntheticPairs(32).pairs(1, 7).next();

    static String refusal(Verdict<?> verdict) {
        return verdict instanceof Verdict.Refused<?> r
                ? r.reason().code() + ": " + r.detail()
                : null;
    }

    @Test
    void aNineMegabyteLanguageHintIsNoHint() {
        RawPair raw = RawPair.newBuilder(good).setLangHint("x".repeat(9_000_000)).build();
        CuratedPair curated = curator.curate(raw, NOW).value();
        assertThat(curated.getLang().length()).isLessThanOrEqualTo(35);
        assertThat(curated.getPair().getLangHint()).isEqualTo("und");
    }

    @Test
    void aHugePageContextIsCutAndManyAttributesRefused() {
        RawPair context = RawPair.newBuilder(good).setPageContext("c".repeat(5_000_000)).build();
        CuratedPair curated = curator.curate(context, NOW).value();
        assertThat(curated.getPair().getPageContext().length()).isLessThanOrEqualTo(16_384);

        Map<String, String> attributes = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            attributes.put("a" + i, "v");
        }
        assertThat(
                        refusal(
                                curator.curate(
                                        RawPair.newBuilder(good).setAttributes(attributes).build(),
                                        NOW)))
                .startsWith("field_too_large: attributes");
    }

    @Test
    void anImageMissingRefusalQuotesOnlyTheStartOfItsUrl() {
        RawPair raw =
                RawPair.newBuilder(good)
                        .setImage(null)
                        .setImageUrl("https://example.com/" + "u".repeat(8000))
                        .build();
        String refusal = refusal(curator.curate(raw, NOW));
        assertThat(refusal).startsWith("image_missing: ");
        assertThat(refusal.length()).isLessThan(300);
    }

    @Test
    void aCaptionWithAGenuineReplacementCharacterPasses() {
        RawPair raw =
                RawPair.newBuilder(good)
                        .setAltText("a red circle \uFFFD here")
                        .setLangHint("en")
                        .build();
        assertThat(curator.curate(raw, NOW).accepted()).isTrue();
    }

    @Test
    void invalidBytesInTheCaptionAreRefusedButARealReplacementCharacterIsNot() {
        CurateFunction curate = new CurateFunction(FilterConfig.defaults());
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        byte[] invalid =
                serde.encode(
                        RawPair.newBuilder(good)
                                .setAltText("a red MARKERXY circle")
                                .setLangHint("en")
                                .build());
        int at = FilterJobTest.indexOf(invalid, "MARKERXY".getBytes(StandardCharsets.US_ASCII));
        invalid[at] = (byte) 0xC3;
        invalid[at + 1] = (byte) 0x28;
        EnvelopeStage.Outcome<CuratedEnvelope> refused = curate.handle(envelope(invalid));
        assertThat(refused).isInstanceOf(EnvelopeStage.Rejected.class);
        assertThat(((EnvelopeStage.Rejected<CuratedEnvelope>) refused).reject().getReason())
                .isEqualTo("caption_invalid_utf8");

        byte[] genuine =
                serde.encode(
                        RawPair.newBuilder(good)
                                .setAltText("a red \uFFFD circle")
                                .setLangHint("en")
                                .build());
        EnvelopeStage.Outcome<CuratedEnvelope> passed = curate.handle(envelope(genuine));
        assertThat(passed).isInstanceOf(EnvelopeStage.Emitted.class);
        assertThat(((EnvelopeStage.Emitted<CuratedEnvelope>) passed).value().pair.getCaption())
                .isEqualTo("a red \uFFFD circle");
    }

    @Test
    void aCuratedPairTooLargeForTheTopicIsRefusedWithItsPosition() {
        int limit = 5000;
        CurateFunction curate =
                new CurateFunction(
                        FilterConfig.builder()
                                .bounds(RecordBounds.builder().maxRecordBytes(limit).build())
                                .build());
        byte[] value = AvroSerde.of(RawPair.class).encode(good);
        assertThat(value.length).isLessThan(limit / 2);
        EnvelopeStage.Outcome<CuratedEnvelope> outcome = curate.handle(envelope(value));
        var reject = ((EnvelopeStage.Rejected<CuratedEnvelope>) outcome).reject();
        assertThat(reject.getReason()).isEqualTo("record_too_large");
        assertThat(reject.getDetail()).contains("does not fit the topic limit of 5000");
        assertThat(reject.getOffset()).isEqualTo(11);
        assertThat(reject.getPayload().remaining()).isEqualTo(value.length);
    }

    static KafkaEnvelope envelope(byte[] value) {
        return new KafkaEnvelope(
                "k".getBytes(StandardCharsets.UTF_8), value, "raw-pairs", 0, 11, 0);
    }
}
