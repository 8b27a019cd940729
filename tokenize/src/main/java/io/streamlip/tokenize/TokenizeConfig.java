package io.streamlip.tokenize;

import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How curated pairs become training examples. More: docs/decisions/tokenize.md.
 *
 * @param imageSize side of the square training image in pixels, 4 to {@value #MAX_IMAGE_SIZE}
 *     (default 32, the CPU demo's size); it must be the trained model's ({@code b16}: 224)
 * @param pixelFormat layout of {@code Example.image} (default {@link PixelFormat#RGB8_HWC}; {@link
 *     PixelFormat#PNG} for large sizes)
 * @param maxTokens longest token sequence including end-of-sequence, longer cut (default 64)
 * @param maxImagePixels largest image the stage decodes (default 40,000,000, the filter's bound)
 * @param tokenizerFile a {@code tokenizer.json} carried inside the operator, or null for the byte
 *     tokenizer (default null); see {@link Tokenizers} and {@link Builder#tokenizer(String)}
 * @param render CLIPPO rendering into {@code Example.rendered_text}, or null not to (default null)
 * @param bounds field bounds and record limit ({@link RecordBounds#defaults()})
 */
public record TokenizeConfig(
        int imageSize,
        PixelFormat pixelFormat,
        int maxTokens,
        long maxImagePixels,
        String tokenizerFile,
        TextRenderConfig render,
        RecordBounds bounds)
        implements Serializable {

    /** The largest image side: the largest the trainer decodes. */
    public static final int MAX_IMAGE_SIZE = 4096;

    public TokenizeConfig {
        if (imageSize < 4) {
            throw new IllegalArgumentException("imageSize must be at least 4, got " + imageSize);
        }
        if (imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException(
                    "imageSize must be at most " + MAX_IMAGE_SIZE + ", got " + imageSize);
        }
        Objects.requireNonNull(pixelFormat, "pixelFormat");
        Objects.requireNonNull(bounds, "bounds");
        if (pixelFormat == PixelFormat.RGB8_HWC
                && 3L * imageSize * imageSize >= bounds.maxRecordBytes()) {
            // Every example would be refused as record_too_large.
            throw new IllegalArgumentException(
                    "a "
                            + imageSize
                            + " px RGB8_HWC image does not fit a record of at most "
                            + bounds.maxRecordBytes()
                            + " bytes: use pixelFormat PNG or a smaller imageSize");
        }
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be at least 2, got " + maxTokens);
        }
        if (maxImagePixels < 1) {
            throw new IllegalArgumentException(
                    "maxImagePixels must be positive, got " + maxImagePixels);
        }
        if (render != null && imageSize < 16) {
            throw new IllegalArgumentException(
                    "rendering text needs imageSize >= 16 (one glyph row), got " + imageSize);
        }
    }

    /** The documented defaults. */
    public static TokenizeConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link TokenizeConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private int imageSize = 32;
        private PixelFormat pixelFormat = PixelFormat.RGB8_HWC;
        private int maxTokens = 64;
        private long maxImagePixels = 40_000_000L;
        private String tokenizerFile = null;
        private TextRenderConfig render = null;
        private RecordBounds bounds = RecordBounds.defaults();

        private Builder() {}

        private Builder(TokenizeConfig c) {
            imageSize = c.imageSize;
            pixelFormat = c.pixelFormat;
            maxTokens = c.maxTokens;
            maxImagePixels = c.maxImagePixels;
            tokenizerFile = c.tokenizerFile;
            render = c.render;
            bounds = c.bounds;
        }

        public Builder imageSize(int value) {
            imageSize = value;
            return this;
        }

        public Builder pixelFormat(PixelFormat value) {
            pixelFormat = value;
            return this;
        }

        public Builder maxTokens(int value) {
            maxTokens = value;
            return this;
        }

        public Builder maxImagePixels(long value) {
            maxImagePixels = value;
            return this;
        }

        public Builder tokenizerFile(String value) {
            tokenizerFile = value;
            return this;
        }

        public Builder render(TextRenderConfig value) {
            render = value;
            return this;
        }

        public Builder bounds(RecordBounds value) {
            bounds = value;
            return this;
        }

        /**
         * Sets {@code tokenizerFile} from a tokenizer spec ({@link Tokenizers#load}: {@value
         * Tokenizers#BYTES}, which is none, or a {@code tokenizer.json} path). The spec is loaded
         * here, so that a wrong one fails where the job is built.
         */
        public Builder tokenizer(String spec) {
            Tokenizers.load(spec, maxTokens); // fails early with the reason
            tokenizerFile =
                    spec.equals(Tokenizers.BYTES) || spec.equals(ByteTokenizer.VERSION)
                            ? null
                            : Path.of(spec).toString();
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public TokenizeConfig build() {
            return new TokenizeConfig(
                    imageSize,
                    pixelFormat,
                    maxTokens,
                    maxImagePixels,
                    tokenizerFile,
                    render,
                    bounds);
        }
    }

    /**
     * The tokenizer this configuration uses: the byte tokenizer, or a {@link SubwordTokenizer}
     * holding the file's bytes (read here, once).
     */
    public CaptionTokenizer tokenizer() {
        return Tokenizers.load(tokenizerFile == null ? Tokenizers.BYTES : tokenizerFile, maxTokens);
    }
}
