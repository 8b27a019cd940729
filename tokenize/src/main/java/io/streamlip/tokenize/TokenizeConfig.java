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
 * @param imageSize side of the square training image in pixels (default 32, the CPU demo's size)
 * @param pixelFormat layout of {@code Example.image} (default {@link PixelFormat#RGB8_HWC}; {@link
 *     PixelFormat#PNG} for large sizes)
 * @param maxTokens longest token sequence including end-of-sequence, longer cut (default 64)
 * @param maxImagePixels largest image the stage decodes (default 40,000,000, the filter's bound)
 * @param tokenizerFile a {@code tokenizer.json} carried inside the operator, or null for the byte
 *     tokenizer (default null); see {@link Tokenizers} and {@link #withTokenizer(String)}
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

    /** With the default record bounds. */
    public TokenizeConfig(
            int imageSize,
            PixelFormat pixelFormat,
            int maxTokens,
            long maxImagePixels,
            String tokenizerFile,
            TextRenderConfig render) {
        this(
                imageSize,
                pixelFormat,
                maxTokens,
                maxImagePixels,
                tokenizerFile,
                render,
                RecordBounds.defaults());
    }

    public TokenizeConfig {
        if (imageSize < 4) {
            throw new IllegalArgumentException("imageSize must be at least 4, got " + imageSize);
        }
        Objects.requireNonNull(pixelFormat, "pixelFormat");
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
        Objects.requireNonNull(bounds, "bounds");
    }

    /** Without a tokenizer file or rendering, as before those existed. */
    public TokenizeConfig(
            int imageSize, PixelFormat pixelFormat, int maxTokens, long maxImagePixels) {
        this(imageSize, pixelFormat, maxTokens, maxImagePixels, null, null);
    }

    /** The documented defaults. */
    public static TokenizeConfig defaults() {
        return new TokenizeConfig(32, PixelFormat.RGB8_HWC, 64, 40_000_000L, null, null);
    }

    public TokenizeConfig withImageSize(int size) {
        return new TokenizeConfig(
                size, pixelFormat, maxTokens, maxImagePixels, tokenizerFile, render, bounds);
    }

    public TokenizeConfig withPixelFormat(PixelFormat format) {
        return new TokenizeConfig(
                imageSize, format, maxTokens, maxImagePixels, tokenizerFile, render, bounds);
    }

    public TokenizeConfig withMaxTokens(int tokens) {
        return new TokenizeConfig(
                imageSize, pixelFormat, tokens, maxImagePixels, tokenizerFile, render, bounds);
    }

    /** Encode with the subword tokenizer in {@code file} (null: the byte tokenizer). */
    public TokenizeConfig withTokenizerFile(Path file) {
        return new TokenizeConfig(
                imageSize,
                pixelFormat,
                maxTokens,
                maxImagePixels,
                file == null ? null : file.toString(),
                render,
                bounds);
    }

    /**
     * Encode with the tokenizer {@code spec} names ({@link Tokenizers#load}: {@value
     * Tokenizers#BYTES} or a {@code tokenizer.json} path). Checked here, so a wrong spec fails
     * where the job is built.
     */
    public TokenizeConfig withTokenizer(String spec) {
        Tokenizers.load(spec, maxTokens); // fails early with the reason
        return spec.equals(Tokenizers.BYTES) || spec.equals(ByteTokenizer.VERSION)
                ? withTokenizerFile(null)
                : withTokenizerFile(Path.of(spec));
    }

    /** Render captions for CLIPPO with {@code value} (null: do not render). */
    public TokenizeConfig withRender(TextRenderConfig value) {
        return new TokenizeConfig(
                imageSize, pixelFormat, maxTokens, maxImagePixels, tokenizerFile, value, bounds);
    }

    /** With {@code value} as the record bounds. */
    public TokenizeConfig withBounds(RecordBounds value) {
        return new TokenizeConfig(
                imageSize, pixelFormat, maxTokens, maxImagePixels, tokenizerFile, render, value);
    }

    /**
     * The tokenizer this configuration uses: the byte tokenizer, or a {@link SubwordTokenizer}
     * holding the file's bytes (read here, once).
     */
    public CaptionTokenizer tokenizer() {
        return Tokenizers.load(tokenizerFile == null ? Tokenizers.BYTES : tokenizerFile, maxTokens);
    }
}
