package io.streamlip.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.avro.AvroRecordCheck;
import io.streamlip.sinks.webdataset.WebDatasetCheck;
import io.streamlip.sinks.webdataset.WebDatasetSample;
import io.streamlip.sinks.webdataset.WebDatasetSamples;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The checks before the file sinks, without Flink. */
class RecordChecksTest {
    static final int LIMIT = 64 * 1024;
    static final WebDatasetCheck<CuratedPair> PAIRS =
            new WebDatasetCheck<>(WebDatasetSamples::of, LIMIT);
    static final WebDatasetCheck<Example> EXAMPLES =
            new WebDatasetCheck<>(WebDatasetSamples::of, LIMIT);

    static Example example(int size, byte[] pixels) {
        return Example.newBuilder()
                .setId("ex.1")
                .setLang("en")
                .setCaption("a caption")
                .setTokenIds(List.of(1, 2, 3))
                .setImage(ByteBuffer.wrap(pixels))
                .setImageFormat(PixelFormat.RGB8_HWC)
                .setImageSize(size)
                .setTokenizerVersion("t1")
                .setSourceTime(java.time.Instant.EPOCH)
                .build();
    }

    static void assertUnwritable(Verdict<?> v, String detailPart) {
        assertThat(v).isInstanceOf(Verdict.Refused.class);
        Verdict.Refused<?> r = (Verdict.Refused<?>) v;
        assertThat(r.reason()).isEqualTo(RejectReason.SINK_UNWRITABLE);
        assertThat(r.detail()).contains(detailPart).hasSizeLessThanOrEqualTo(1000);
    }

    @Test
    void goodRecordsBecomeTheirSamples() {
        Verdict<WebDatasetSample> v = PAIRS.check(TestRecords.curated(2));
        assertThat(v.value().imageExtension()).isEqualTo("png");
        assertThat(v.value().image()).isEqualTo(TestRecords.png());
        assertThat(EXAMPLES.check(example(4, new byte[48])).value().imageExtension())
                .isEqualTo("png");
    }

    @Test
    void whatCannotBecomeASampleIsRefused() {
        assertUnwritable(PAIRS.check(FileSinksRejectsJobTest.undecodableGif(1)), "does not decode");
        assertUnwritable(PAIRS.check(FileSinksRejectsJobTest.noImage(3)), "no image bytes");
        assertUnwritable(
                PAIRS.check(FileSinksRejectsJobTest.oversized(5)), "record bound of 65536");
        assertUnwritable(EXAMPLES.check(example(4, new byte[47])), "expected 48 RGB bytes");
    }

    @Test
    void avroRefusesWhatDoesNotEncodeOrIsTooLarge() {
        AvroRecordCheck<CuratedPair> avro = new AvroRecordCheck<>(CuratedPair.class, LIMIT);
        CuratedPair good = TestRecords.curated(1);
        assertThat(avro.check(good).value()).isSameAs(good);
        assertUnwritable(avro.check(FileSinksRejectsJobTest.oversized(5)), "record bound");
        // a required field left null (possible through the all-arguments constructor)
        CuratedPair broken = CuratedPair.newBuilder(good).build();
        broken.put("caption", null);
        assertUnwritable(avro.check(broken), "does not encode as CuratedPair");
    }

    @Test
    void noMutatedPairMakesTheCheckThrow() {
        Fuzz.run(
                "RecordChecksTest.noMutatedPairMakesTheCheckThrow",
                300,
                20261206L,
                (i, random) -> {
                    Verdict<WebDatasetSample> v = PAIRS.check(mutated(random));
                    if (v.accepted()) {
                        assertThat(v.value().image().length).isLessThanOrEqualTo(LIMIT);
                    }
                });
    }

    /** A pair whose image is random bytes, a cut PNG or a JPEG with one bit flipped. */
    static CuratedPair mutated(SplittableRandom random) {
        byte[] image =
                switch (random.nextInt(3)) {
                    case 0 -> Fuzz.bytes(random, 300);
                    case 1 ->
                            Arrays.copyOf(
                                    TestRecords.png(),
                                    random.nextInt(TestRecords.png().length + 1));
                    default -> {
                        byte[] b = TestRecords.jpeg();
                        int bit = random.nextInt(b.length * 8);
                        b[bit / 8] ^= (byte) (1 << (bit % 8));
                        yield b;
                    }
                };
        String format = Fuzz.oneOf(random, "png", "jpeg", "gif", "bmp", "webp", "", "PNG");
        return FileSinksRejectsJobTest.with(
                random.nextInt(100), format, r -> r.setImage(ByteBuffer.wrap(image)));
    }
}
