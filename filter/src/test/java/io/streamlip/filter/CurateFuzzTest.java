package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.Fuzz;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.platform.bounds.Rejects;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.image.TestImages;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A fuzzer of the filter's per-record path ({@link CurateFunction#handle}: decode, bound, curate,
 * size-check, build the reject), without Flink: mutated raw pairs (oversized and malformed fields,
 * invalid UTF-8, nulls, broken images) and mutated bytes (bit flips, cuts, random values near the
 * limit). Every input ends as a curated pair or a reject with a reason, none throws or fails
 * unexpectedly ({@code internal_error}), and what is emitted and rejected fits the topic limit.
 *
 * <p>The record limit is 256 KiB here, not 16 MiB, so that records near it are cheap to make; the
 * code paths are the same.
 */
class CurateFuzzTest {
    static final int LIMIT = 256 * 1024;
    static final FilterConfig CONFIG =
            FilterConfig.builder()
                    .bounds(RecordBounds.builder().maxRecordBytes(LIMIT).build())
                    .language(LanguageConfig.defaults())
                    .build();
    static final AvroSerde<RawPair> RAW = AvroSerde.of(RawPair.class);
    static final AvroSerde<CuratedPair> CURATED = AvroSerde.of(CuratedPair.class);
    static final AvroSerde<Reject> REJECT = AvroSerde.of(Reject.class);
    static final List<RawPair> GOOD = goodPairs();

    final CurateFunction curate = new CurateFunction(CONFIG);
    final Map<String, Integer> outcomes = new TreeMap<>();

    static List<RawPair> goodPairs() {
        List<RawPair> good = new ArrayList<>();
        new SyntheticPairs(32).pairs(8, 5).forEachRemaining(good::add);
        return List.copyOf(good);
    }

    @Test
    void everyMutatedPairEndsAsAFittingResultOrReject() {
        Fuzz.run(
                "CurateFuzzTest.mutatedPairs",
                1500,
                1412,
                (i, random) -> check(mutatedPair(random)));
        System.out.println("CurateFuzzTest.mutatedPairs outcomes " + outcomes);
    }

    @Test
    void everyMutatedEncodingEndsAsAFittingResultOrReject() {
        Fuzz.run(
                "CurateFuzzTest.mutatedBytes",
                500,
                1413,
                (i, random) -> check(mutatedBytes(random)));
        System.out.println("CurateFuzzTest.mutatedBytes outcomes " + outcomes);
    }

    void check(byte[] value) {
        KafkaEnvelope envelope =
                new KafkaEnvelope(
                        "key".getBytes(StandardCharsets.UTF_8), value, "raw-pairs", 0, 7, 0);
        EnvelopeStage.Outcome<CuratedEnvelope> outcome = curate.handle(envelope);
        if (outcome instanceof EnvelopeStage.Rejected<CuratedEnvelope> rejected) {
            Reject reject = rejected.reject();
            assertThat(rejected.reason()).isNotEqualTo(RejectReason.INTERNAL_ERROR);
            assertThat(reject.getReason()).isEqualTo(rejected.reason().code());
            assertThat(reject.getDetail())
                    .isNotBlank()
                    .hasSizeLessThanOrEqualTo(Rejects.MAX_DETAIL_CHARS);
            assertThat(reject.getOffset()).isEqualTo(7);
            long key =
                    reject.getId() == null
                            ? 0
                            : reject.getId().getBytes(StandardCharsets.UTF_8).length;
            assertThat(RecordSize.fits(key, REJECT.encode(reject).length, LIMIT)).isTrue();
            outcomes.merge(rejected.reason().code(), 1, Integer::sum);
        } else {
            CuratedPair pair = ((EnvelopeStage.Emitted<CuratedEnvelope>) outcome).value().pair;
            long key = pair.getPair().getId().getBytes(StandardCharsets.UTF_8).length;
            assertThat(RecordSize.fits(key, CURATED.encode(pair).length, LIMIT)).isTrue();
            assertThat(pair.getLang().length()).isLessThanOrEqualTo(35);
            outcomes.merge("curated", 1, Integer::sum);
        }
    }

    /** The encoding of a mutated good pair, one time in eight with invalid UTF-8 in the caption. */
    static byte[] mutatedPair(SplittableRandom random) {
        RawPair pair = mutate(GOOD.get(random.nextInt(GOOD.size())), random);
        byte[] bytes = RAW.encode(pair);
        return random.nextInt(8) == 0 ? invalidUtf8InCaption(bytes, random) : bytes;
    }

    /** The encoding of a mutated good pair with bits flipped or cut short, or random bytes. */
    static byte[] mutatedBytes(SplittableRandom random) {
        byte[] bytes = RAW.encode(mutate(GOOD.get(random.nextInt(GOOD.size())), random));
        return switch (random.nextInt(4)) {
            case 0 -> {
                for (int i = random.nextInt(1, 8); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield bytes;
            }
            case 1 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 2 -> TestImages.randomBytes(LIMIT - random.nextInt(1, 600), random.nextLong());
            default -> TestImages.randomBytes(random.nextInt(1, 2000), random.nextLong());
        };
    }

    /** One to three field mutations of {@code good}. */
    static RawPair mutate(RawPair good, SplittableRandom random) {
        RawPair.Builder b = RawPair.newBuilder(good);
        for (int n = random.nextInt(1, 4); n > 0; n--) {
            switch (random.nextInt(13)) {
                case 0 -> b.setId(text(random, size(random, 512)));
                case 1 ->
                        b.setLangHint(random.nextBoolean() ? null : text(random, size(random, 35)));
                case 2 ->
                        b.setImageUrl(text(random, size(random, 8192)))
                                .setImage(random.nextBoolean() ? null : b.getImage());
                case 3 -> b.setAltText(text(random, size(random, 1000)));
                case 4 ->
                        b.setPageTitle(
                                random.nextBoolean() ? null : text(random, size(random, 1024)));
                case 5 ->
                        b.setPageContext(
                                random.nextBoolean() ? null : text(random, size(random, 16_384)));
                case 6 -> b.setSource(text(random, size(random, 256)));
                case 7 -> b.setAttributes(attributes(random));
                case 8 -> b.setImage(image(random));
                case 9 -> b.setImage(null);
                case 10 -> b.setAltText(good.getAltText() + " \uFFFD");
                case 11 ->
                        // A valid image that makes the curated record reach the limit.
                        b.setImage(
                                ByteBuffer.wrap(
                                        padPng(
                                                TestImages.png(32, 32),
                                                LIMIT - random.nextInt(100, 6000))));
                default ->
                        b.setImage(
                                ByteBuffer.wrap(
                                        TestImages.randomBytes(
                                                LIMIT - random.nextInt(200, 3000),
                                                random.nextLong())));
            }
        }
        return b.build();
    }

    /**
     * A length around {@code bound}: small, just under or over it, or far beyond (up to the limit).
     */
    static int size(SplittableRandom random, int bound) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(0, 20);
            case 1 -> bound + random.nextInt(-2, 3);
            case 2 -> random.nextInt(0, bound * 2 + 1);
            default -> random.nextInt(0, LIMIT / 3);
        };
    }

    static String text(SplittableRandom random, int length) {
        StringBuilder s = new StringBuilder(length);
        int kind = random.nextInt(4);
        while (s.length() < length) {
            switch (kind) {
                case 0 -> s.append((char) random.nextInt('a', 'z' + 1));
                case 1 -> s.append(random.nextBoolean() ? ' ' : '\n');
                case 2 -> s.appendCodePoint(random.nextInt(0x20, 0x3000));
                default -> s.append((char) random.nextInt(0, 0x10000)); // lone surrogates too
            }
        }
        return s.toString();
    }

    static Map<String, String> attributes(SplittableRandom random) {
        Map<String, String> m = new HashMap<>();
        int count = random.nextBoolean() ? random.nextInt(0, 70) : random.nextInt(0, 3000);
        for (int i = 0; i < count; i++) {
            m.put(
                    "k" + i + text(random, random.nextInt(0, 8)),
                    text(random, random.nextInt(0, 40)));
        }
        if (random.nextBoolean()) {
            m.put(text(random, size(random, 128)), text(random, size(random, 4096)));
        }
        return m;
    }

    static ByteBuffer image(SplittableRandom random) {
        byte[] png = random.nextBoolean() ? TestImages.png(32, 32) : TestImages.jpeg(32, 32);
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int i = random.nextInt(1, 6); i > 0; i--) {
                    png[random.nextInt(png.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> png = java.util.Arrays.copyOf(png, random.nextInt(png.length));
            default ->
                    png =
                            TestImages.pngHeaderOnly(
                                    random.nextInt(1, 100_000), random.nextInt(1, 100_000));
        }
        return ByteBuffer.wrap(png);
    }

    /** The encoding with one byte of the caption's bytes made a lone continuation byte. */
    static byte[] invalidUtf8InCaption(byte[] encoded, SplittableRandom random) {
        RawPair pair = RAW.decode(encoded);
        byte[] caption = pair.getAltText().getBytes(StandardCharsets.UTF_8);
        if (caption.length == 0) {
            return encoded;
        }
        int at = FilterJobTest.indexOf(encoded, caption);
        encoded[at + random.nextInt(caption.length)] = (byte) 0x80;
        return encoded;
    }

    /**
     * {@code png} with a private ancillary chunk (which decoders skip) after IHDR, so that the file
     * is {@code size} bytes.
     */
    static byte[] padPng(byte[] png, int size) {
        int data = size - png.length - 12;
        int afterIhdr = 8 + 25;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(png, 0, afterIhdr);
        byte[] type = "stLp".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[data];
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type);
        crc.update(body);
        out.putInt(data).put(type).put(body).putInt((int) crc.getValue());
        out.put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }
}
