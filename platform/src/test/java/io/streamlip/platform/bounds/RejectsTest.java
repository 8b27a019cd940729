package io.streamlip.platform.bounds;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RejectsTest {
    static final int LIMIT = 64 * 1024;
    static final AvroSerde<Reject> SERDE = AvroSerde.of(Reject.class);

    static KafkaEnvelope envelope(byte[] key, int valueBytes) {
        return new KafkaEnvelope(key, new byte[valueBytes], "raw-pairs", 1, 42, 0);
    }

    @Test
    void detailsAreCutToAboutOneKilobyteOnACodePoint() {
        String detail = "d".repeat(1022) + "\uD83D\uDE00" + "tail";
        String capped = Rejects.capDetail(detail);
        assertThat(capped).isEqualTo("d".repeat(1022) + "…");
        assertThat(Rejects.capDetail(null)).isEmpty();
        assertThat(Rejects.capDetail("short")).isEqualTo("short");
    }

    @Test
    void aRejectThatFitsKeepsItsPayloadAndIsUnchanged() {
        Reject reject =
                envelope("k".getBytes(StandardCharsets.UTF_8), 1000)
                        .reject("id-1", "filter", RejectReason.IMAGE_TOO_LARGE, "why", LIMIT);
        assertThat(reject.getPayload().remaining()).isEqualTo(1000);
        assertThat(reject.getDetail()).isEqualTo("why");
        assertThat(Rejects.fit(reject, LIMIT)).isSameAs(reject);
    }

    @Test
    void aRejectThatWouldNotFitDropsItsPayloadAndSaysSo() {
        Reject reject =
                envelope("key".getBytes(StandardCharsets.UTF_8), LIMIT - 300)
                        .reject(null, "filter", RejectReason.NOT_AVRO, "x".repeat(5000), LIMIT);
        assertThat(reject.getPayload()).isNull();
        assertThat(reject.getDetail())
                .hasSizeLessThanOrEqualTo(Rejects.MAX_DETAIL_CHARS)
                .endsWith("… (payload omitted: " + (LIMIT - 300) + " bytes)");
        assertThat(reject.getTopic()).isEqualTo("raw-pairs");
        assertThat(reject.getPartition()).isEqualTo(1);
        assertThat(reject.getOffset()).isEqualTo(42);
        assertThat(StandardCharsets.UTF_8.decode(reject.getKey()).toString()).isEqualTo("key");
        assertThat(SERDE.encode(reject).length).isLessThan(LIMIT);
    }

    @Test
    void aHugeKeyAndIdAreLeftOutWhenThePayloadIs() {
        byte[] key = new byte[LIMIT / 2];
        Reject reject =
                envelope(key, LIMIT / 2)
                        .reject(
                                "i".repeat(LIMIT / 2),
                                "filter",
                                RejectReason.FIELD_TOO_LARGE,
                                "id",
                                LIMIT);
        assertThat(reject.getId()).isNull();
        assertThat(reject.getKey()).isNull();
        assertThat(reject.getPayload()).isNull();
        assertThat(reject.getDetail())
                .isEqualTo(
                        "id (payload omitted: "
                                + LIMIT / 2
                                + " bytes, key omitted: "
                                + LIMIT / 2
                                + " bytes)");
    }

    @Test
    void aModelVersionIsKeptAndAnOverlongOneLeftOut() {
        Reject scored =
                Reject.newBuilder()
                        .setId("p")
                        .setStage("filter")
                        .setReason(RejectReason.LOW_CROSSMODAL_SCORE.code())
                        .setDetail("below the keep threshold")
                        .setRejectTime(java.time.Instant.EPOCH)
                        .setModelVersion("run/step-00000002")
                        .build();
        assertThat(Rejects.fit(scored, LIMIT)).isSameAs(scored);
        Reject overlong =
                Reject.newBuilder(scored)
                        .setModelVersion("m".repeat(RecordBounds.MAX_MODEL_VERSION_CHARS + 1))
                        .build();
        Reject fitted = Rejects.fit(overlong, LIMIT);
        assertThat(fitted.getModelVersion()).isNull();
        assertThat(fitted.getReason()).isEqualTo("low_crossmodal_score");
        assertThat(fitted.getId()).isEqualTo("p");
    }

    /** The size bound the fitting relies on is never below the real encoding. */
    @Test
    void theSizeBoundIsAnUpperBound() {
        Fuzz.run(
                "RejectsTest.theSizeBoundIsAnUpperBound",
                300,
                20261206L,
                (i, random) -> checkSizeBound(random));
    }

    static void checkSizeBound(SplittableRandom random) {
        String id = Fuzz.string(random, 3000);
        String detail = Fuzz.string(random, 3000);
        int keyBytes = Fuzz.size(random, 5000);
        int payloadBytes = Fuzz.size(random, 100_000);
        Reject reject =
                envelope(keyBytes == 0 ? null : new byte[keyBytes], payloadBytes)
                        .reject(
                                id.isEmpty() ? null : id,
                                "tokenize",
                                RejectReason.NOT_AVRO,
                                detail,
                                LIMIT);
        assertThat(Rejects.encodedSizeBound(reject))
                .isGreaterThanOrEqualTo(SERDE.encode(reject).length);
        long keyLength =
                reject.getId() == null ? 0 : reject.getId().getBytes(StandardCharsets.UTF_8).length;
        assertThat(RecordSize.fits(keyLength, SERDE.encode(reject).length, LIMIT)).isTrue();
        assertThat(reject.getDetail()).hasSizeLessThanOrEqualTo(Rejects.MAX_DETAIL_CHARS);
    }
}
