package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.streamlip.platform.image.Images;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class ExampleDecoderTest {
    static final int SIZE = 32;
    static final int VOCAB = 259;
    private static final AvroSerde<Example> SERDE = AvroSerde.of(Example.class);

    private final ExampleDecoder decoder = new ExampleDecoder(SIZE, VOCAB, "bytes-v1");

    static Example.Builder example() {
        byte[] rgb = new byte[SIZE * SIZE * 3];
        new Random(1).nextBytes(rgb);
        return Example.newBuilder()
                .setId("ex-1")
                .setLang("en")
                .setCaption("a red square")
                .setTokenIds(List.of(10, 20, 1))
                .setTokenizerVersion("bytes-v1")
                .setImage(ByteBuffer.wrap(rgb))
                .setImageFormat(PixelFormat.RGB8_HWC)
                .setImageSize(SIZE)
                .setSourceTime(Instant.EPOCH);
    }

    static BufferedImage picture(int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(size);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    static Example png(byte[] bytes) {
        return example().setImageFormat(PixelFormat.PNG).setImage(ByteBuffer.wrap(bytes)).build();
    }

    /**
     * A PNG whose header claims {@code side x side} RGB pixels, with the first rows of zeros as
     * pixel data: a few KB that would decode to {@code 3 * side^2} bytes.
     */
    static byte[] pngBomb(int side) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(side).putInt(side).put((byte) 8).put((byte) 2).put(new byte[3]);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[100 * (3 * side + 1)]);
        deflater.finish();
        byte[] buffer = new byte[1 << 16];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void aPngWhoseHeaderClaims30000SquarePixelsIsRefusedWithoutDecodingIt() throws Exception {
        refusedWithoutDecoding(30_000); // 2.7 GB of pixels: more than an int can index
    }

    @Test
    void aPngWhoseHeaderClaims20000SquarePixelsIsRefusedWithoutDecodingIt() throws Exception {
        refusedWithoutDecoding(20_000); // 1.2 GB of pixels: a decoder would allocate them
    }

    private void refusedWithoutDecoding(int side) throws Exception {
        byte[] bomb = pngBomb(side);
        assertThat(bomb.length).isLessThan(16_384);
        byte[] record = SERDE.encode(png(bomb));
        decoder.decode(SERDE.encode(example().build())); // warm up the decoder's paths
        long before = allocatedBytes();
        Throwable thrown = catchThrowable(() -> decoder.decode(record));
        // The record and its copies are a few KB.
        assertThat(allocatedBytes() - before).isLessThan(1 << 20);
        assertThat(thrown)
                .isInstanceOf(ExampleDecoder.InvalidExampleException.class)
                .hasMessageContaining(side + "x" + side);
    }

    @Test
    void aRecordWhoseLengthPrefixClaimsAGigabyteIsRefusedWithoutAllocatingIt() throws Exception {
        byte[] valid = SERDE.encode(example().setId("i").build());
        // After the 10-byte header: the id's length (1: zig-zag 02) then "i". Claim 2^30 bytes.
        assertThat(valid[10]).isEqualTo((byte) 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, 10);
        out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});
        out.write(valid, 11, valid.length - 11);
        byte[] record = out.toByteArray();
        decoder.decode(valid); // warm up
        long before = allocatedBytes();
        assertThatThrownBy(() -> decoder.decode(record))
                .isInstanceOf(ExampleDecoder.InvalidExampleException.class);
        assertThat(allocatedBytes() - before).isLessThan(1 << 20);
    }

    @Test
    void aPngAtTheModelsSizeDecodesToTheSamePixelsAsItsRawForm() throws Exception {
        BufferedImage image = picture(SIZE);
        DecodedExample fromPng = decoder.decode(SERDE.encode(png(Images.png(image))));
        byte[] rgb = new io.streamlip.tokenize.ImagePreprocessor(SIZE).toRgb(image);
        DecodedExample raw =
                decoder.decode(SERDE.encode(example().setImage(ByteBuffer.wrap(rgb)).build()));
        assertThat(fromPng.rgb()).isEqualTo(raw.rgb()).isEqualTo(rgb);
        assertThat(fromPng.tokenIds()).containsExactly(10, 20, 1);
    }

    @Test
    void aPngOfAnotherSizeIsRefusedNotResized() throws Exception {
        byte[] record = SERDE.encode(png(Images.png(picture(SIZE / 2))));
        assertThatThrownBy(() -> decoder.decode(record))
                .isInstanceOf(ExampleDecoder.InvalidExampleException.class)
                .hasMessageContaining("16x16");
    }

    @Test
    void examplesOfAnotherImageSizeAreRefusedSayingWhatToChange() throws Exception {
        // What a b16 trainer (224 px) meets when the tokenize job runs at its default, 32 px.
        ExampleDecoder b16 = new ExampleDecoder(224, VOCAB, "bytes-v1");
        ExampleDecoder.InvalidExampleException declared =
                catchThrowableOfType(
                        ExampleDecoder.InvalidExampleException.class,
                        () -> b16.decode(SERDE.encode(example().build())));
        assertThat(declared.reason()).isEqualTo(ExampleDecoder.Refusal.IMAGE_WRONG_SIZE);
        assertThat(declared)
                .hasMessageStartingWith("image_wrong_size: image_size 32 px, the model's is 224 px")
                .hasMessageContaining("streamlip submit --model PRESET")
                .hasMessageContaining("--image-size 224")
                .hasMessageContaining("or the trainer must use a model of the examples' size");
        // A record that claims the model's size but holds another's pixels says the same.
        Example lying = example().setImageSize(224).build();
        assertThatThrownBy(() -> b16.decode(SERDE.encode(lying)))
                .hasMessageContaining("the model needs 224 px")
                .hasMessageContaining("--image-size 224");
        Example lyingPng =
                example()
                        .setImageSize(224)
                        .setImageFormat(PixelFormat.PNG)
                        .setImage(ByteBuffer.wrap(Images.png(picture(SIZE))))
                        .build();
        assertThatThrownBy(() -> b16.decode(SERDE.encode(lyingPng)))
                .hasMessageContaining("PNG header claims 32x32")
                .hasMessageContaining("--image-size 224");
        // The other way, a 224 px example at a 32 px model, fails on its size or its record's.
        byte[] big = new byte[224 * 224 * 3];
        Example large = example().setImageSize(224).setImage(ByteBuffer.wrap(big)).build();
        assertThatThrownBy(() -> decoder.decode(SERDE.encode(large)))
                .hasMessageContaining("--image-size 32");
    }

    @Test
    void aJpegDeclaredAsPngIsRefused() throws Exception {
        byte[] record = SERDE.encode(png(Images.encode(picture(SIZE), "jpeg")));
        assertThatThrownBy(() -> decoder.decode(record))
                .isInstanceOf(ExampleDecoder.InvalidExampleException.class)
                .hasMessageContaining("PNG");
    }

    @Test
    void everyOtherFieldHasABound() throws Exception {
        List<Example> refused = new ArrayList<>();
        refused.add(example().setTokenIds(Collections.nCopies(5000, 7)).build());
        refused.add(example().setTokenIds(List.of(10, -1, 1)).build());
        refused.add(example().setTokenIds(List.of(10, Integer.MAX_VALUE)).build());
        refused.add(example().setTokenIds(List.of()).build());
        refused.add(example().setCaption("x".repeat(20_000)).build());
        refused.add(example().setLang("en-" + "x".repeat(100)).build());
        refused.add(example().setId("i".repeat(2000)).build());
        refused.add(example().setTokenizerVersion("v".repeat(300)).build());
        refused.add(example().setSource("s".repeat(ExampleDecoder.MAX_SOURCE_CHARS + 1)).build());
        refused.add(
                example()
                        .setModelVersion("m".repeat(ExampleDecoder.MAX_MODEL_VERSION_CHARS + 1))
                        .build());
        refused.add(example().setRenderedText(ByteBuffer.wrap(new byte[SIZE * SIZE + 1])).build());
        refused.add(example().setImage(ByteBuffer.wrap(new byte[SIZE * SIZE * 3 - 1])).build());
        refused.add(example().setImageSize(SIZE * 2).build());
        for (Example e : refused) {
            byte[] record = SERDE.encode(e);
            assertThatThrownBy(() -> decoder.decode(record))
                    .as(e.toString().substring(0, Math.min(200, e.toString().length())))
                    .isInstanceOf(ExampleDecoder.InvalidExampleException.class);
        }
        byte[] withText =
                SERDE.encode(
                        example().setRenderedText(ByteBuffer.wrap(new byte[SIZE * SIZE])).build());
        assertThat(Arrays.equals(decoderOk(withText).tokenIds(), new int[] {10, 20, 1})).isTrue();
        byte[] withProvenance =
                SERDE.encode(
                        example()
                                .setSource("s".repeat(ExampleDecoder.MAX_SOURCE_CHARS))
                                .setModelVersion("m".repeat(ExampleDecoder.MAX_MODEL_VERSION_CHARS))
                                .build());
        assertThat(decoderOk(withProvenance).id()).isEqualTo("ex-1");
    }

    @Test
    void aRecordLargerThanAnyValidExampleIsRefusedBeforeDecoding() throws Exception {
        byte[] huge = new byte[decoder.maxRecordBytes() + 1];
        huge[0] = (byte) 0xC3;
        huge[1] = 0x01;
        assertThatThrownBy(() -> decoder.decode(huge))
                .isInstanceOf(ExampleDecoder.InvalidExampleException.class)
                .hasMessageContaining("record_too_large");
    }

    private DecodedExample decoderOk(byte[] record) {
        try {
            return decoder.decode(record);
        } catch (ExampleDecoder.InvalidExampleException e) {
            throw new AssertionError(e);
        }
    }
}
