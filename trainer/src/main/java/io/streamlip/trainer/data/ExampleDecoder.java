package io.streamlip.trainer.data;

import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.AvroLengthGuard;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.SchemaHistory;
import io.streamlip.tokenize.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Turns an {@code examples} record into a {@link DecodedExample} the model can take, or says why it
 * cannot ({@link Refusal}). The tokenize stage already validated the records, so a refusal here
 * means a misconfigured pipeline or a corrupt or hostile record: the trainer logs, counts and skips
 * it. Nothing a record holds can make this throw anything else or allocate much more than the
 * record's own size:
 *
 * <ul>
 *   <li>the record is at most {@link #maxRecordBytes()}, and no length inside it may claim more
 *       bytes than it holds ({@link AvroLengthGuard}) before Avro decodes it;
 *   <li>each field has a bound: id {@value #MAX_ID_CHARS}, lang {@value #MAX_LANG_CHARS}, caption
 *       {@value #MAX_CAPTION_CHARS}, tokenizer version {@value #MAX_TOKENIZER_VERSION_CHARS},
 *       source {@value #MAX_SOURCE_CHARS} and model version {@value #MAX_MODEL_VERSION_CHARS}
 *       characters (the last two may be absent); 1 to {@value #MAX_TOKENS} token ids, each inside
 *       the vocabulary; raw RGB exactly the model's size; rendered text absent (refused when the
 *       model reads it) or exactly one byte a pixel;
 *   <li>a PNG image's header is read first ({@link Images#probe}) and must claim exactly the
 *       model's image size, so its pixels are decoded only at that size.
 * </ul>
 */
public final class ExampleDecoder {
    /** Most characters of an example's id. */
    public static final int MAX_ID_CHARS = 1024;

    /** Most characters of its language tag (the tokenize stage writes at most this many). */
    public static final int MAX_LANG_CHARS = RecordBounds.MAX_LANGUAGE_TAG_CHARS;

    /** Most characters of its caption (the filter's default maximum is 1,000). */
    public static final int MAX_CAPTION_CHARS = 16_384;

    /** Most characters of the tokenizer version string. */
    public static final int MAX_TOKENIZER_VERSION_CHARS = 256;

    /** Most characters of the pair's source (the filter's default maximum is 256). */
    public static final int MAX_SOURCE_CHARS = 1024;

    /** Most characters of the scoring model's version. */
    public static final int MAX_MODEL_VERSION_CHARS = RecordBounds.MAX_MODEL_VERSION_CHARS;

    /** Most token ids (the tokenize stage cuts at its maxTokens, 64 by default). */
    public static final int MAX_TOKENS = 4096;

    /** Why a record was refused; {@link #code()} is what logs and counters show. */
    public enum Refusal {
        /** Not an Avro {@code Example} (or its body is corrupt). */
        NOT_AN_EXAMPLE,
        /** The record is larger than any valid example at the model's size. */
        RECORD_TOO_LARGE,
        /** A field exceeds its bound, or a length inside the record claims more than it holds. */
        FIELD_TOO_LARGE,
        /** The tokens come from another tokenizer than the model's. */
        WRONG_TOKENIZER,
        /** No tokens, or a token id outside the vocabulary. */
        BAD_TOKENS,
        /** The image (its declared size, its header or its byte count) is not the model's size. */
        IMAGE_WRONG_SIZE,
        /** The image is declared PNG but its bytes are not a PNG. */
        IMAGE_NOT_PNG,
        /** The PNG's pixel data cannot be decoded (truncated or corrupt). */
        IMAGE_UNDECODABLE,
        /** No rendered caption, which the model reads (CLIPPO). */
        NO_RENDERED_TEXT;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
    };

    private final AvroSerde<Example> serde = AvroSerde.of(Example.class);
    private final AvroLengthGuard guard;
    private final int imageSize;
    private final int vocabSize;
    private final String tokenizerVersion;
    private final ImagePreprocessor preprocessor;
    private final int maxPngBytes;
    private final int maxRecordBytes;
    private final boolean requireRenderedText;

    /**
     * @param tokenizerVersion the only tokenizer version accepted, or null to accept any
     */
    public ExampleDecoder(int imageSize, int vocabSize, String tokenizerVersion) {
        this(imageSize, vocabSize, tokenizerVersion, false);
    }

    /**
     * @param tokenizerVersion the only tokenizer version accepted, or null to accept any
     * @param requireRenderedText refuse ({@link Refusal#NO_RENDERED_TEXT}) examples without a
     *     rendered caption: the model reads it (CLIPPO)
     */
    public ExampleDecoder(
            int imageSize, int vocabSize, String tokenizerVersion, boolean requireRenderedText) {
        this.requireRenderedText = requireRenderedText;
        if (imageSize < 1 || imageSize > 4096) {
            throw new IllegalArgumentException("imageSize must be 1 to 4096, got " + imageSize);
        }
        this.imageSize = imageSize;
        this.vocabSize = vocabSize;
        this.tokenizerVersion = tokenizerVersion;
        this.preprocessor = new ImagePreprocessor(imageSize);
        int pixels = imageSize * imageSize;
        // A PNG stored without compression, 16-bit RGBA, with generous room for its chunks.
        this.maxPngBytes = 8 * pixels + 65_536;
        // The image, rendered text, the strings at 4 bytes a character and the ids at 5 bytes.
        this.maxRecordBytes =
                maxPngBytes
                        + pixels
                        + 4
                                * (MAX_ID_CHARS
                                        + MAX_LANG_CHARS
                                        + MAX_CAPTION_CHARS
                                        + MAX_TOKENIZER_VERSION_CHARS
                                        + MAX_SOURCE_CHARS
                                        + MAX_MODEL_VERSION_CHARS)
                        + 5 * MAX_TOKENS
                        + 1024;
        Schema current = serde.schema();
        List<Schema> writers = new ArrayList<>(SchemaHistory.load(current.getFullName()));
        writers.add(current);
        this.guard = new AvroLengthGuard(writers, MAX_TOKENS);
    }

    /** The largest record accepted at this image size. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Why a record was refused: a {@link Refusal} and a detail of at most about 1 KB. */
    public static final class InvalidExampleException extends Exception {
        private static final long serialVersionUID = 1L;

        /** Most characters of the detail; longer ones are cut. */
        public static final int MAX_DETAIL_CHARS = 1000;

        private final Refusal reason;

        public InvalidExampleException(Refusal reason, String message, Throwable cause) {
            super(capped(message), cause);
            this.reason = reason;
        }

        public InvalidExampleException(Refusal reason, String message) {
            super(capped(message));
            this.reason = reason;
        }

        private static String capped(String message) {
            return message != null && message.length() > MAX_DETAIL_CHARS
                    ? message.substring(0, MAX_DETAIL_CHARS) + "..."
                    : message;
        }

        public Refusal reason() {
            return reason;
        }

        @Override
        public String getMessage() {
            return reason.code() + ": " + super.getMessage();
        }
    }

    /** Decodes the Avro single-object bytes of an {@code Example}. */
    public DecodedExample decode(byte[] value) throws InvalidExampleException {
        if (value == null || value.length == 0) {
            throw new InvalidExampleException(Refusal.NOT_AN_EXAMPLE, "empty record");
        }
        if (value.length > maxRecordBytes) {
            throw new InvalidExampleException(
                    Refusal.RECORD_TOO_LARGE,
                    value.length
                            + " bytes, at most "
                            + maxRecordBytes
                            + " at the model's image size, "
                            + imageSize
                            + " px; examples made for a larger model are this big: "
                            + whatToChange());
        }
        Optional<String> overlong = guard.check(value);
        if (overlong.isPresent()) {
            throw new InvalidExampleException(Refusal.FIELD_TOO_LARGE, overlong.get());
        }
        Example example;
        try {
            example = serde.decode(value);
        } catch (RuntimeException e) { // AvroSerde.DecodeException and Avro's own
            throw new InvalidExampleException(
                    Refusal.NOT_AN_EXAMPLE, "not an Example record: " + e.getMessage(), e);
        }
        return convert(example);
    }

    /** Checks an already decoded record and brings its image to training layout. */
    public DecodedExample convert(Example example) throws InvalidExampleException {
        bounded("id", example.getId(), MAX_ID_CHARS);
        bounded("lang", example.getLang(), MAX_LANG_CHARS);
        bounded("caption", example.getCaption(), MAX_CAPTION_CHARS);
        bounded("tokenizer_version", example.getTokenizerVersion(), MAX_TOKENIZER_VERSION_CHARS);
        boundedIfPresent("source", example.getSource(), MAX_SOURCE_CHARS);
        boundedIfPresent("model_version", example.getModelVersion(), MAX_MODEL_VERSION_CHARS);
        if (tokenizerVersion != null && !tokenizerVersion.equals(example.getTokenizerVersion())) {
            throw new InvalidExampleException(
                    Refusal.WRONG_TOKENIZER,
                    "tokenizer "
                            + example.getTokenizerVersion()
                            + " is not the model's "
                            + tokenizerVersion);
        }
        int[] ids = tokenIds(example.getTokenIds());
        if (example.getImageSize() != imageSize) {
            throw new InvalidExampleException(
                    Refusal.IMAGE_WRONG_SIZE,
                    "image_size "
                            + example.getImageSize()
                            + " px, the model's is "
                            + imageSize
                            + " px: "
                            + whatToChange());
        }
        ByteBuffer rendered = example.getRenderedText();
        if (rendered != null && rendered.remaining() != imageSize * imageSize) {
            throw new InvalidExampleException(
                    Refusal.FIELD_TOO_LARGE,
                    "rendered_text has "
                            + rendered.remaining()
                            + " bytes, expected "
                            + imageSize * imageSize);
        }
        ByteBuffer image = example.getImage();
        if (image == null) {
            throw new InvalidExampleException(Refusal.IMAGE_WRONG_SIZE, "no image");
        }
        byte[] rgb = example.getImageFormat() == PixelFormat.RGB8_HWC ? rgb(image) : fromPng(image);
        byte[] renderedText = rendered == null ? null : bytes(rendered);
        if (renderedText == null && requireRenderedText) {
            throw new InvalidExampleException(
                    Refusal.NO_RENDERED_TEXT,
                    "no rendered_text: a CLIPPO model reads the caption rendered as an image;"
                            + " run the tokenize job with --render-text true");
        }
        return new DecodedExample(example.getId(), example.getLang(), rgb, ids, renderedText);
    }

    private byte[] rgb(ByteBuffer image) throws InvalidExampleException {
        int expected = imageSize * imageSize * 3;
        if (image.remaining() != expected) {
            throw new InvalidExampleException(
                    Refusal.IMAGE_WRONG_SIZE,
                    "RGB8_HWC image of "
                            + image.remaining()
                            + " bytes; the model needs "
                            + imageSize
                            + " px ("
                            + expected
                            + " bytes): "
                            + whatToChange());
        }
        return bytes(image);
    }

    private byte[] fromPng(ByteBuffer image) throws InvalidExampleException {
        if (image.remaining() > maxPngBytes) {
            throw new InvalidExampleException(
                    Refusal.FIELD_TOO_LARGE,
                    "PNG of " + image.remaining() + " bytes, at most " + maxPngBytes);
        }
        byte[] png = bytes(image);
        if (!startsWith(png, PNG_SIGNATURE)) {
            throw new InvalidExampleException(
                    Refusal.IMAGE_NOT_PNG,
                    "no PNG signature (first bytes " + Images.hexPrefix(png) + ")");
        }
        // The header's claim, before any pixel memory: a bomb claims far more than it holds.
        Optional<Images.Header> header = Images.probe(png);
        if (header.isEmpty() || !header.get().format().equals("png")) {
            throw new InvalidExampleException(Refusal.IMAGE_NOT_PNG, "unreadable PNG header");
        }
        Images.Header h = header.get();
        if (h.width() != imageSize || h.height() != imageSize) {
            throw new InvalidExampleException(
                    Refusal.IMAGE_WRONG_SIZE,
                    "PNG header claims "
                            + h.width()
                            + "x"
                            + h.height()
                            + " px; the model needs "
                            + imageSize
                            + "x"
                            + imageSize
                            + ": "
                            + whatToChange());
        }
        try {
            return preprocessor.process(png);
        } catch (Images.UndecodableImageException e) {
            throw new InvalidExampleException(
                    Refusal.IMAGE_UNDECODABLE, "undecodable PNG: " + e.getMessage(), e);
        } catch (RuntimeException e) { // a decoder's own bug on hostile bytes
            throw new InvalidExampleException(
                    Refusal.IMAGE_UNDECODABLE, "undecodable PNG: " + e, e);
        }
    }

    /** What a user changes when examples are not at the model's image size. */
    private String whatToChange() {
        return "the tokenize job must make examples at the model's size (streamlip submit"
                + " --model PRESET, the trainer's, or --image-size "
                + imageSize
                + "; the job's main: --image-size "
                + imageSize
                + "), or the trainer must use a model of the examples' size (--model)";
    }

    private int[] tokenIds(List<Integer> tokens) throws InvalidExampleException {
        if (tokens == null || tokens.isEmpty()) {
            throw new InvalidExampleException(Refusal.BAD_TOKENS, "no tokens");
        }
        if (tokens.size() > MAX_TOKENS) {
            throw new InvalidExampleException(
                    Refusal.FIELD_TOO_LARGE, tokens.size() + " token ids, at most " + MAX_TOKENS);
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = tokens.get(i);
            if (id == null || id < 0 || id >= vocabSize) {
                throw new InvalidExampleException(
                        Refusal.BAD_TOKENS,
                        "token id " + id + " outside the vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = id;
        }
        return ids;
    }

    private static void bounded(String field, CharSequence value, int max)
            throws InvalidExampleException {
        if (value == null) {
            throw new InvalidExampleException(Refusal.FIELD_TOO_LARGE, field + " is missing");
        }
        if (value.length() > max) {
            throw new InvalidExampleException(
                    Refusal.FIELD_TOO_LARGE,
                    field + " has " + value.length() + " characters, at most " + max);
        }
    }

    private static void boundedIfPresent(String field, CharSequence value, int max)
            throws InvalidExampleException {
        if (value != null) {
            bounded(field, value, max);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
