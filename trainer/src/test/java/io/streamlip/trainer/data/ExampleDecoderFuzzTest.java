package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.platform.image.Images;
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
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

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
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void everyRecordIsDecodedOrRefusedWithAReasonWithinItsMemoryBound() {
        Fuzz.run(
                "ExampleDecoderFuzzTest.records",
                3000,
                20261206L,
                (i, random) -> check(record(random)));
        System.out.println("ExampleDecoderFuzzTest.records outcomes " + outcomes);
    }

    private void check(byte[] record) {
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
        outcomes.merge(outcome, 1, Integer::sum);
    }

    /** Random bytes, a valid header and random bytes, a mutated encoding or hostile fields. */
    private static byte[] record(SplittableRandom random) {
        return switch (Fuzz.weighted(random, 1, 1, 4, 6)) {
            case 0 -> Fuzz.bytes(random, 4096);
            case 1 -> validHeaderRandomBody(random);
            case 2 -> mutated(random);
            default -> hostileFields(random);
        };
    }

    /** The single-object header of a real Example, then random bytes. */
    private static byte[] validHeaderRandomBody(SplittableRandom random) {
        byte[] body = Fuzz.bytes(random, 2048);
        byte[] out = Arrays.copyOf(VALID.get(0), 10 + body.length);
        System.arraycopy(body, 0, out, 10, body.length);
        return out;
    }

    /** A valid encoding with a few bits flipped, cut short, spliced or given a huge length. */
    private static byte[] mutated(SplittableRandom random) {
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

    /** A well-formed record (Avro-wise) whose fields are hostile. */
    private static byte[] hostileFields(SplittableRandom random) {
        PixelFormat format;
        byte[] image;
        switch (Fuzz.weighted(random, 2, 5, 1)) {
            case 0 -> {
                format = PixelFormat.RGB8_HWC;
                image = rgbImage(random);
            }
            case 1 -> {
                format = PixelFormat.PNG;
                image = pngImage(random);
            }
            default -> {
                format = PixelFormat.RGB8_HWC;
                image = pngImage(random);
            }
        }
        int imageSize =
                switch (Fuzz.weighted(random, 16, 1, 1)) {
                    case 0 -> SIZE;
                    case 1 -> anyInt(random);
                    default -> Fuzz.oneOf(random, 0, -SIZE, SIZE / 2, SIZE + 1, 30_000);
                };
        // Each field is valid most of the time, so that records reach the image decoder.
        List<Integer> tokens = new ArrayList<>();
        switch (Fuzz.weighted(random, 12, 2, 1, 1)) {
            case 0 -> {
                for (int n = 1 + Fuzz.size(random, 63); n > 0; n--) {
                    tokens.add(random.nextInt(VOCAB));
                }
            }
            case 1 -> {
                for (int n = Fuzz.size(random, 8); n > 0; n--) {
                    tokens.add(anyInt(random));
                }
                tokens.add(1);
            }
            case 2 -> {
                for (int n = Fuzz.size(random, 3); n > 0; n--) {
                    tokens.add(Fuzz.oneOf(random, -1, VOCAB, Integer.MIN_VALUE));
                }
            }
            default -> tokens = Collections.nCopies(random.nextInt(4090, 6001), 5);
        }
        String caption =
                switch (Fuzz.weighted(random, 12, 3, 1)) {
                    case 0 -> Fuzz.string(random, 60);
                    case 1 -> INVALID_UTF8_MARK;
                    default -> "x\u00e9\u4e2d".repeat(random.nextInt(5300, 6701));
                };
        String lang =
                switch (Fuzz.weighted(random, 12, 1, 1)) {
                    case 0 -> Fuzz.oneOf(random, "en", "de", "zh-Hant", "und");
                    case 1 -> Fuzz.string(random, 40);
                    default -> "e".repeat(random.nextInt(36, 10_001));
                };
        String id =
                switch (Fuzz.weighted(random, 12, 1)) {
                    case 0 -> alpha(random, 20);
                    default -> "i".repeat(random.nextInt(1000, 1101));
                };
        ByteBuffer rendered =
                switch (Fuzz.weighted(random, 10, 2, 1)) {
                    case 0 -> null;
                    case 1 -> ByteBuffer.wrap(new byte[SIZE * SIZE]);
                    default -> ByteBuffer.wrap(new byte[random.nextInt(4 * SIZE * SIZE + 1)]);
                };
        String version =
                switch (Fuzz.weighted(random, 12, 1, 1)) {
                    case 0 -> "bytes-v1";
                    case 1 -> Fuzz.string(random, 20);
                    default -> "v".repeat(random.nextInt(250, 301));
                };
        Example example =
                Example.newBuilder()
                        .setId(id)
                        .setLang(lang)
                        .setCaption(caption)
                        .setTokenIds(tokens)
                        .setTokenizerVersion(version)
                        .setImage(ByteBuffer.wrap(image))
                        .setImageFormat(format)
                        .setImageSize(imageSize)
                        .setRenderedText(rendered)
                        .setSourceTime(java.time.Instant.EPOCH)
                        .build();
        return withInvalidUtf8(SERDE.encode(example));
    }

    /** Raw pixels: the right length, or one off, or empty. */
    private static byte[] rgbImage(SplittableRandom random) {
        int n = SIZE * SIZE * 3;
        return noise(Fuzz.oneOf(random, n, n, n, n - 1, n + 1, 0, n / 4));
    }

    /** PNGs: valid, truncated, bit-flipped, claiming other sizes; JPEG, GIF and noise. */
    private static byte[] pngImage(SplittableRandom random) {
        return switch (Fuzz.weighted(random, 2, 1, 3, 3, 3, 1)) {
            case 0 -> PNG;
            case 1 -> Fuzz.oneOf(random, PNG_SMALL, JPEG, GIF);
            case 2 -> Arrays.copyOf(PNG, random.nextInt(PNG.length));
            case 3 -> {
                byte[] b = PNG.clone();
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield b;
            }
            case 4 -> claimingSize(dimension(random), dimension(random), random.nextBoolean());
            default -> noise(random.nextInt(5001));
        };
    }

    /** A width or height: plausible three times in four, else any int. */
    private static int dimension(SplittableRandom random) {
        return random.nextInt(4) < 3 ? random.nextInt(1, 100_001) : anyInt(random);
    }

    /** Any int; one time in four an edge (0, 1, -1, the minimum, the maximum). */
    private static int anyInt(SplittableRandom random) {
        return random.nextInt(4) == 0
                ? Fuzz.oneOf(random, 0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE)
                : random.nextInt();
    }

    /** ASCII letters, {@link Fuzz#size} long. */
    private static String alpha(SplittableRandom random, int maxLength) {
        StringBuilder s = new StringBuilder();
        for (int n = Fuzz.size(random, maxLength); n > 0; n--) {
            char letter = (char) ('a' + random.nextInt(26));
            s.append(random.nextBoolean() ? letter : Character.toUpperCase(letter));
        }
        return s.toString();
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
