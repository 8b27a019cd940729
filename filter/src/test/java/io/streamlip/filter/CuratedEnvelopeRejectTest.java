package io.streamlip.filter;

import static io.streamlip.filter.curate.FilterTestRecords.envelope;
import static io.streamlip.filter.curate.FilterTestRecords.serializer;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.image.WebImages;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A curated pair carries its image once (its Kafka record's bytes stay behind when the raw pair
 * re-encodes to them), and a reject after curation still carries the original key, position and
 * bytes, byte for byte, whether the bytes travelled or are rebuilt.
 */
class CuratedEnvelopeRejectTest {
    private static final AvroSerde<RawPair> RAW = AvroSerde.of(RawPair.class);
    private static final String TITLE_MARK = "TITLE-MARK";

    @Test
    void aCuratedPairLeavesItsRecordsBytesBehindAndADuplicateRejectCarriesThemExactly()
            throws Exception {
        RawPair first =
                RawPair.newBuilder(new SyntheticPairs(32).pairs(1, 4).next())
                        .setId("first")
                        .setImage(
                                ByteBuffer.wrap(WebImages.jpeg(WebImages.Spec.plain(640, 480), 3)))
                        .build();
        RawPair again = RawPair.newBuilder(first).setId("again").build();
        byte[] firstBytes = RAW.encode(first);
        byte[] againBytes = RAW.encode(again);

        List<CuratedEnvelope> curated = curate(List.of(firstBytes, againBytes));
        assertThat(curated).hasSize(2);
        for (CuratedEnvelope envelope : curated) {
            assertThat(envelope.source.value).isNull();
            assertThat(envelope.source.topic).isEqualTo("raw");
        }
        assertThat(new String(curated.get(1).source.key, StandardCharsets.UTF_8))
                .isEqualTo("again");
        // What every exchange and the near-duplicate join's state move: the image once.
        int image = first.getImage().remaining();
        assertThat(serializedSize(curated.get(0))).isBetween(image, image + image / 10);

        Reject duplicate = only(deduplicate(curated));
        assertThat(duplicate.getReason()).isEqualTo("duplicate");
        assertThat(duplicate.getId()).isEqualTo("again");
        assertThat(new String(bytes(duplicate.getKey()), StandardCharsets.UTF_8))
                .isEqualTo("again");
        assertThat(duplicate.getTopic()).isEqualTo("raw");
        assertThat(duplicate.getOffset()).isEqualTo(1);
        assertThat(bytes(duplicate.getPayload())).isEqualTo(againBytes);
    }

    @Test
    void aRecordThatDoesNotReEncodeToItsOwnBytesKeepsThemForItsReject() throws Exception {
        RawPair pair =
                RawPair.newBuilder(new SyntheticPairs(32).pairs(1, 6).next())
                        .setPageTitle(TITLE_MARK)
                        .build();
        // A page title that is not UTF-8 decodes to U+FFFD: re-encoding would not give it back.
        byte[] written = withInvalidTitle(RAW.encode(pair));
        byte[] writtenAgain = withInvalidTitle(RAW.encode(RawPair.newBuilder(pair).build()));

        List<CuratedEnvelope> curated = curate(List.of(written, writtenAgain));
        assertThat(curated).hasSize(2);
        assertThat(curated.get(0).source.value).isEqualTo(written);
        assertThat(RAW.encode(curated.get(0).pair.getPair())).isNotEqualTo(written);

        Reject duplicate = only(deduplicate(curated));
        assertThat(duplicate.getOffset()).isEqualTo(1);
        assertThat(bytes(duplicate.getPayload())).isEqualTo(writtenAgain);
    }

    @Test
    void anEnvelopeThatStillCarriesItsBytesRejectsWithThem() {
        RawPair pair = new SyntheticPairs(32).pairs(1, 8).next();
        byte[] value = RAW.encode(pair);
        CuratedEnvelope curated = curate(List.of(value)).get(0);
        // As the code before this change built it: the record's bytes beside the pair.
        CuratedEnvelope carried =
                new CuratedEnvelope(
                        curated.duplicateKey,
                        curated.pair,
                        curated.thumbnail,
                        envelope(pair.getId(), value, 7));
        CuratedEnvelope rebuilt =
                CuratedEnvelope.curated(
                        carried.duplicateKey,
                        carried.pair,
                        carried.thumbnail,
                        envelope(pair.getId(), value, 7),
                        RAW);
        assertThat(rebuilt.source.value).isNull();
        for (CuratedEnvelope envelope : List.of(carried, rebuilt)) {
            Reject reject =
                    envelope.reject(FilterJob.STAGE, RejectReason.NEAR_DUPLICATE, "near copy", RAW);
            assertThat(bytes(reject.getPayload())).isEqualTo(value);
            assertThat(reject.getOffset()).isEqualTo(7);
            assertThat(reject.getId()).isEqualTo(pair.getId());
        }
    }

    private static List<CuratedEnvelope> curate(List<byte[]> values) {
        try (var harness =
                FilterFunctionsTest.harness(
                        new CurateFunction(FilterConfig.defaults()), CuratedEnvelope.typeInfo())) {
            long offset = 0;
            for (byte[] value : values) {
                harness.processElement(envelope(RAW.decode(value).getId(), value, offset++), 0);
            }
            assertThat(harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE))).isNull();
            return harness.extractOutputValues();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Reject> deduplicate(List<CuratedEnvelope> envelopes) throws Exception {
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DeduplicateFunction(FilterConfig.defaults())),
                        (CuratedEnvelope c) -> c.duplicateKey,
                        Types.STRING)) {
            harness.setup(serializer(CuratedEnvelope.typeInfo()));
            harness.open();
            for (CuratedEnvelope envelope : envelopes) {
                harness.processElement(envelope, 0);
            }
            assertThat(harness.extractOutputValues()).hasSize(1);
            return harness.getSideOutput(EnvelopeStage.rejects(FilterJob.STAGE)).stream()
                    .map(StreamRecord::getValue)
                    .toList();
        }
    }

    private static int serializedSize(CuratedEnvelope envelope) throws Exception {
        TypeSerializer<CuratedEnvelope> serializer = serializer(CuratedEnvelope.typeInfo());
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        serializer.serialize(envelope, out);
        return out.length();
    }

    private static byte[] withInvalidTitle(byte[] encoded) {
        byte[] mark = TITLE_MARK.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + mark.length <= encoded.length; i++) {
            if (Arrays.equals(encoded, i, i + mark.length, mark, 0, mark.length)) {
                byte[] out = encoded.clone();
                Arrays.fill(out, i, i + mark.length, (byte) 0xFF);
                return out;
            }
        }
        throw new AssertionError("no title in the record");
    }

    private static Reject only(List<Reject> rejects) {
        assertThat(rejects).hasSize(1);
        return rejects.get(0);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        return PairCurator.bytes(buffer);
    }
}
