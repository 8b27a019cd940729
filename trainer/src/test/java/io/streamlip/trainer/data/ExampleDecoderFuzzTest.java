package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.image.Images;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The trainer's decoder against hostile records: random bytes, valid records bit-flipped,
 * truncated, spliced or given a huge length prefix, and well-formed records whose fields are
 * hostile (PNGs truncated, bit-flipped or claiming huge sizes, JPEG/GIF/random bytes declared PNG,
 * wrong lengths, huge or negative token ids, oversized strings, invalid UTF-8). Every record ends
 * as a decoded example at the model's layout or a refusal with a reason; nothing else is thrown,
 * and no record costs more heap than a small multiple of its own size.
 */
class ExampleDecoderFuzzTest {
    private static final int SIZE = ExampleDecoderTest.SIZE;
    private static final int VOCAB = ExampleDecoderTest.VOCAB;
    private static final AvroSerde<Example> SERDE = AvroSerde.of(Example.class);
    private static final String INVALID_UTF8_MARK = "~~INVALID-UTF8~~";
    private static final byte[] INVALID_UTF8 = {
        (byte) 0xC3,
        0x28,
        (byte) 0xA0,
        (byte) 0xA1,
        (byte) 0xE2,
        0x28,
        (byte) 0xA1,
        (byte) 0xE2,
        (byte) 0x82,
        0x28,
        (byte) 0xF0,
        0x28,
        (byte) 0x8C,
        (byte) 0xBC,
        (byte) 0xFF,
        (byte) 0xFE
    };

    /** Heap a record may cost besides a small multiple of its size: decode buffers, an image. */
    private static final long ALLOCATION_ALLOWANCE = 8L << 20;

    private static final byte[] PNG = Images.png(ExampleDecoderTest.picture(SIZE));
    private static final byte[] PNG_SMALL = Images.png(ExampleDecoderTest.picture(SIZE / 2));
    private static final byte[] JPEG = Images.encode(ExampleDecoderTest.picture(SIZE), "jpeg");
    private static final byte[] GIF = Images.encode(gifable(), "gif");
    private static final List<byte[]> VALID =
            List.of(
                    SERDE.encode(ExampleDecoderTest.example().build()),
                    SERDE.encode(ExampleDecoderTest.png(PNG)));

    private final ExampleDecoder decoder = new ExampleDecoder(SIZE, VOCAB, "bytes-v1");

    @Property(tries = 3000, seed = "20261206", edgeCases = EdgeCasesMode.NONE)
    void everyRecordIsDecodedOrRefusedWithAReasonWithinItsMemoryBound(
            @ForAll("records") byte[] record) {
        long before = ExampleDecoderTest.allocatedBytes();
        String outcome;
        try {
            DecodedExample example = decoder.decode(record);
            assertThat(example.rgb()).hasSize(SIZE * SIZE * 3);
            assertThat(example.tokenIds()).isNotEmpty();
            assertThat(Arrays.stream(example.tokenIds()).allMatch(id -> id >= 0 && id < VOCAB))
                    .isTrue();
            assertThat(example.tokenIds().length).isLessThanOrEqualTo(ExampleDecoder.MAX_TOKENS);
            outcome = "decoded";
        } catch (ExampleDecoder.InvalidExampleException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage().length())
                    .isLessThanOrEqualTo(
                            ExampleDecoder.InvalidExampleException.MAX_DETAIL_CHARS + 64);
            outcome = e.reason().code();
        }
        long allocated = ExampleDecoderTest.allocatedBytes() - before;
        assertThat(allocated)
                .as("bytes allocated for a record of %d bytes (%s)", record.length, outcome)
                .isLessThan(ALLOCATION_ALLOWANCE + 32L * record.length);
        Statistics.label("outcome").collect(outcome);
    }

    @Provide
    Arbitrary<byte[]> records() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(4096)),
                Tuple.of(1, validHeaderRandomBody()),
                Tuple.of(4, Arbitraries.randoms().map(ExampleDecoderFuzzTest::mutated)),
                Tuple.of(6, hostileFields()));
    }

    /** The single-object header of a real Example, then random bytes. */
    private static Arbitrary<byte[]> validHeaderRandomBody() {
        return Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(2048)
                .map(
                        body -> {
                            byte[] out = Arrays.copyOf(VALID.get(0), 10 + body.length);
                            System.arraycopy(body, 0, out, 10, body.length);
                            return out;
                        });
    }

    /** A valid encoding with a few bits flipped, cut short, spliced or given a huge length. */
    private static byte[] mutated(Random random) {
        byte[] bytes = VALID.get(random.nextInt(VALID.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            switch (random.nextInt(5)) {
                case 0 -> { // bit flips, mostly in the header and short fields
                    int flips = 1 + random.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        int at =
                                random.nextBoolean()
                                        ? random.nextInt(Math.min(bytes.length, 64))
                                        : random.nextInt(bytes.length);
                        bytes[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 2 -> { // a huge varint where a length or count may be
                    int at = 10 + random.nextInt(Math.max(1, Math.min(bytes.length - 10, 80)));
                    byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
                    bytes = splice(bytes, at, 1, huge);
                }
                case 3 -> { // random bytes inserted
                    byte[] junk = new byte[1 + random.nextInt(32)];
                    random.nextBytes(junk);
                    bytes = splice(bytes, random.nextInt(bytes.length + 1), 0, junk);
                }
                default -> { // a negative length (zig-zag odd)
                    int at = 10 + random.nextInt(Math.max(1, Math.min(bytes.length - 10, 80)));
                    if (at < bytes.length) {
                        bytes[at] = (byte) (1 + 2 * random.nextInt(60));
                    }
                }
            }
            if (bytes.length == 0) {
                break;
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        at = Math.min(at, bytes.length);
        remove = Math.min(remove, bytes.length - at);
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    /** Well-formed records (Avro-wise) whose fields are hostile. */
    private static Arbitrary<byte[]> hostileFields() {
        Arbitrary<Tuple.Tuple2<PixelFormat, byte[]>> images =
                Arbitraries.frequencyOf(
                        Tuple.of(2, rgbImages().map(b -> Tuple.of(PixelFormat.RGB8_HWC, b))),
                        Tuple.of(5, pngImages().map(b -> Tuple.of(PixelFormat.PNG, b))),
                        Tuple.of(1, pngImages().map(b -> Tuple.of(PixelFormat.RGB8_HWC, b))));
        Arbitrary<Integer> imageSizes =
                Arbitraries.frequencyOf(
                        Tuple.of(16, Arbitraries.just(SIZE)),
                        Tuple.of(1, Arbitraries.integers()),
                        Tuple.of(1, Arbitraries.of(0, -SIZE, SIZE / 2, SIZE + 1, 30_000)));
        // Each field is valid most of the time, so that records reach the image decoder.
        Arbitrary<List<Integer>> tokens =
                Arbitraries.frequencyOf(
                        Tuple.of(
                                12,
                                Arbitraries.integers()
                                        .between(0, VOCAB - 1)
                                        .list()
                                        .ofMinSize(1)
                                        .ofMaxSize(64)),
                        Tuple.of(
                                2,
                                Arbitraries.integers()
                                        .list()
                                        .ofMaxSize(8)
                                        .map(l -> concat(l, List.of(1)))),
                        Tuple.of(
                                1,
                                Arbitraries.of(-1, VOCAB, Integer.MIN_VALUE).list().ofMaxSize(3)),
                        Tuple.of(
                                1,
                                Arbitraries.integers()
                                        .between(4090, 6000)
                                        .map(n -> Collections.nCopies(n, 5))));
        Arbitrary<String> captions =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.strings().ofMaxLength(60)),
                        Tuple.of(3, Arbitraries.just(INVALID_UTF8_MARK)),
                        Tuple.of(
                                1,
                                Arbitraries.integers()
                                        .between(5300, 6700)
                                        .map(n -> "x\u00e9\u4e2d".repeat(n))));
        Arbitrary<String> langs =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.of("en", "de", "zh-Hant", "und")),
                        Tuple.of(1, Arbitraries.strings().ofMaxLength(40)),
                        Tuple.of(1, Arbitraries.integers().between(36, 10_000).map("e"::repeat)));
        Arbitrary<String> ids =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.strings().alpha().ofMaxLength(20)),
                        Tuple.of(1, Arbitraries.integers().between(1000, 1100).map("i"::repeat)));
        Arbitrary<ByteBuffer> rendered =
                Arbitraries.frequencyOf(
                        Tuple.of(10, Arbitraries.just((ByteBuffer) null)),
                        Tuple.of(2, Arbitraries.just(ByteBuffer.wrap(new byte[SIZE * SIZE]))),
                        Tuple.of(
                                1,
                                Arbitraries.integers()
                                        .between(0, 4 * SIZE * SIZE)
                                        .map(n -> ByteBuffer.wrap(new byte[n]))));
        Arbitrary<String> versions =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.just("bytes-v1")),
                        Tuple.of(1, Arbitraries.strings().ofMaxLength(20)),
                        Tuple.of(1, Arbitraries.integers().between(250, 300).map("v"::repeat)));
        return Combinators.combine(
                        images, imageSizes, tokens, captions, langs, ids, rendered, versions)
                .as(
                        (image, size, ids2, caption, lang, id, text, version) -> {
                            Example example =
                                    Example.newBuilder()
                                            .setId(id)
                                            .setLang(lang)
                                            .setCaption(caption)
                                            .setTokenIds(ids2)
                                            .setTokenizerVersion(version)
                                            .setImage(ByteBuffer.wrap(image.get2()))
                                            .setImageFormat(image.get1())
                                            .setImageSize(size)
                                            .setRenderedText(text)
                                            .setSourceTime(java.time.Instant.EPOCH)
                                            .build();
                            return withInvalidUtf8(SERDE.encode(example));
                        });
    }

    /** Raw pixels: the right length, or one off, or empty. */
    private static Arbitrary<byte[]> rgbImages() {
        int n = SIZE * SIZE * 3;
        return Arbitraries.of(n, n, n, n - 1, n + 1, 0, n / 4).map(ExampleDecoderFuzzTest::noise);
    }

    /** PNGs: valid, truncated, bit-flipped, claiming other sizes; JPEG, GIF and noise. */
    private static Arbitrary<byte[]> pngImages() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(PNG)),
                Tuple.of(1, Arbitraries.of(PNG_SMALL, JPEG, GIF)),
                Tuple.of(
                        3,
                        Arbitraries.integers()
                                .between(0, PNG.length - 1)
                                .map(n -> Arrays.copyOf(PNG, n))),
                Tuple.of(
                        3,
                        Arbitraries.randoms()
                                .map(
                                        r -> {
                                            byte[] b = PNG.clone();
                                            for (int i = 1 + r.nextInt(6); i > 0; i--) {
                                                b[r.nextInt(b.length)] ^=
                                                        (byte) (1 << r.nextInt(8));
                                            }
                                            return b;
                                        })),
                Tuple.of(
                        3,
                        Combinators.combine(
                                        Arbitraries.frequencyOf(
                                                Tuple.of(
                                                        3,
                                                        Arbitraries.integers().between(1, 100_000)),
                                                Tuple.of(1, Arbitraries.integers())),
                                        Arbitraries.frequencyOf(
                                                Tuple.of(
                                                        3,
                                                        Arbitraries.integers().between(1, 100_000)),
                                                Tuple.of(1, Arbitraries.integers())),
                                        Arbitraries.of(true, false))
                                .as(ExampleDecoderFuzzTest::claimingSize)),
                Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(0, 5000)
                                .map(ExampleDecoderFuzzTest::noise)));
    }

    /**
     * The valid PNG with its header claiming {@code width x height}; with {@code fixCrc} the
     * header's CRC is recomputed, as a crafted bomb would.
     */
    private static byte[] claimingSize(int width, int height, boolean fixCrc) {
        byte[] b = PNG.clone();
        ByteBuffer header = ByteBuffer.wrap(b);
        header.putInt(16, width).putInt(20, height);
        if (fixCrc) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(b, 12, 17); // "IHDR" and its 13 bytes
            header.putInt(29, (int) crc.getValue());
        }
        return b;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] noise(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** The caption mark replaced, byte for byte, by bytes that are not UTF-8. */
    private static byte[] withInvalidUtf8(byte[] record) {
        byte[] mark = INVALID_UTF8_MARK.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + mark.length <= record.length; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (record[i + j] != mark[j]) {
                    continue outer;
                }
            }
            System.arraycopy(INVALID_UTF8, 0, record, i, mark.length);
            break;
        }
        return record;
    }

    private static BufferedImage gifable() {
        return ExampleDecoderTest.picture(SIZE);
    }
}
