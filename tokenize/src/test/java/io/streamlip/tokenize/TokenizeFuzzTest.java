package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A fuzzer of the tokenize stage's per-record path ({@link TokenizeFunction#handle}: decode, build
 * the example, size-check, build the reject), without Flink: curated pairs as the filter writes
 * them, mutated (huge id, language, caption; broken images; nulls) and as bytes (bit flips, cuts,
 * random values near the limit). Every input ends as an example or a reject with a reason, none
 * fails unexpectedly, and what is emitted and rejected fits the topic limit (256 KiB here, so that
 * records near it are cheap; the code paths are those of 16 MiB).
 */
class TokenizeFuzzTest {
    static final int LIMIT = 256 * 1024;
    static final TokenizeConfig CONFIG =
            TokenizeConfig.builder()
                    .bounds(RecordBounds.builder().maxRecordBytes(LIMIT).build())
                    .build();
    static final AvroSerde<CuratedPair> CURATED = AvroSerde.of(CuratedPair.class);
    static final AvroSerde<Example> EXAMPLE = AvroSerde.of(Example.class);
    static final AvroSerde<Reject> REJECT = AvroSerde.of(Reject.class);
    static final List<CuratedPair> GOOD = goodPairs();

    final TokenizeFunction tokenize = new TokenizeFunction(new ExampleBuilder(CONFIG));
    final Map<String, Integer> outcomes = new TreeMap<>();

    static List<CuratedPair> goodPairs() {
        List<CuratedPair> good = new ArrayList<>();
        new SyntheticPairs(32)
                .pairs(6, 9)
                .forEachRemaining(
                        raw ->
                                good.add(
                                        curated(
                                                raw,
                                                raw.getAltText(),
                                                raw.getLangHint(),
                                                raw.getImage())));
        return List.copyOf(good);
    }

    @Test
    void everyMutatedCuratedPairEndsAsAFittingExampleOrReject() {
        Fuzz.run(
                "TokenizeFuzzTest.mutatedPairs",
                1500,
                1414,
                (i, random) -> check(mutatedPair(random)));
        System.out.println("TokenizeFuzzTest.mutatedPairs outcomes " + outcomes);
    }

    @Test
    void everyMutatedEncodingEndsAsAFittingExampleOrReject() {
        Fuzz.run(
                "TokenizeFuzzTest.mutatedBytes",
                500,
                1415,
                (i, random) -> check(mutatedBytes(random)));
        System.out.println("TokenizeFuzzTest.mutatedBytes outcomes " + outcomes);
    }

    void check(byte[] value) {
        KafkaEnvelope envelope =
                new KafkaEnvelope(
                        "key".getBytes(StandardCharsets.UTF_8), value, "curated-pairs", 1, 9, 0);
        EnvelopeStage.Outcome<Example> outcome = tokenize.handle(envelope);
        if (outcome instanceof EnvelopeStage.Rejected<Example> rejected) {
            Reject reject = rejected.reject();
            assertThat(rejected.reason()).isNotEqualTo(RejectReason.INTERNAL_ERROR);
            assertThat(reject.getDetail())
                    .isNotBlank()
                    .hasSizeLessThanOrEqualTo(Rejects.MAX_DETAIL_CHARS);
            assertThat(reject.getOffset()).isEqualTo(9);
            long key =
                    reject.getId() == null
                            ? 0
                            : reject.getId().getBytes(StandardCharsets.UTF_8).length;
            assertThat(RecordSize.fits(key, REJECT.encode(reject).length, LIMIT)).isTrue();
            outcomes.merge(rejected.reason().code(), 1, Integer::sum);
        } else {
            Example example = ((EnvelopeStage.Emitted<Example>) outcome).value();
            long key = example.getId().getBytes(StandardCharsets.UTF_8).length;
            assertThat(RecordSize.fits(key, EXAMPLE.encode(example).length, LIMIT)).isTrue();
            assertThat(example.getLang().length()).isLessThanOrEqualTo(35);
            assertThat(example.getImage().remaining()).isEqualTo(32 * 32 * 3);
            outcomes.merge("example", 1, Integer::sum);
        }
    }

    /** The encoding of a mutated good pair. */
    static byte[] mutatedPair(SplittableRandom random) {
        return CURATED.encode(mutate(GOOD.get(random.nextInt(GOOD.size())), random));
    }

    /** The encoding of a mutated good pair with bits flipped or cut short, or random bytes. */
    static byte[] mutatedBytes(SplittableRandom random) {
        byte[] bytes = CURATED.encode(mutate(GOOD.get(random.nextInt(GOOD.size())), random));
        return switch (random.nextInt(4)) {
            case 0 -> {
                for (int i = random.nextInt(1, 8); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield bytes;
            }
            case 1 -> Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 2 -> TestImages.randomBytes(LIMIT - random.nextInt(1, 600), random.nextLong());
            default -> TestImages.randomBytes(random.nextInt(1, 2000), random.nextLong());
        };
    }

    static CuratedPair mutate(CuratedPair good, SplittableRandom random) {
        RawPair raw = good.getPair();
        String id = raw.getId();
        String caption = good.getCaption();
        String lang = good.getLang();
        ByteBuffer image = raw.getImage();
        for (int n = random.nextInt(1, 4); n > 0; n--) {
            switch (random.nextInt(7)) {
                case 0 -> id = "x".repeat(size(random, 512));
                case 1 -> lang = "l".repeat(size(random, 35));
                case 2 -> caption = "caption ".repeat(size(random, 16_384) / 8 + 1);
                case 3 -> caption = random.nextBoolean() ? "" : " \t ";
                case 4 -> image = random.nextBoolean() ? null : ByteBuffer.allocate(0);
                case 5 -> {
                    byte[] png = TestImages.png(32, 32);
                    png = Arrays.copyOf(png, random.nextInt(png.length));
                    image = ByteBuffer.wrap(png);
                }
                default ->
                        image =
                                ByteBuffer.wrap(
                                        TestImages.pngHeaderOnly(
                                                random.nextInt(1, 100_000),
                                                random.nextInt(1, 100_000)));
            }
        }
        return curated(
                RawPair.newBuilder(raw).setId(id).setImage(image).build(), caption, lang, image);
    }

    static int size(SplittableRandom random, int bound) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(0, 20);
            case 1 -> bound + random.nextInt(-2, 3);
            case 2 -> random.nextInt(0, bound * 2 + 1);
            default -> random.nextInt(0, LIMIT);
        };
    }

    static CuratedPair curated(RawPair raw, String caption, String lang, ByteBuffer image) {
        return CuratedPair.newBuilder()
                .setPair(RawPair.newBuilder(raw).setImage(image).build())
                .setCaption(caption)
                .setLang(lang == null ? "und" : lang)
                .setImageFormat("png")
                .setImageWidth(32)
                .setImageHeight(32)
                .setImageSha256("0")
                .setCuratedTime(Instant.ofEpochMilli(0))
                .build();
    }
}
