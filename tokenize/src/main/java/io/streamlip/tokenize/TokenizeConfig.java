package io.streamlip.tokenize;

import io.streamlip.schemas.PixelFormat;
import java.io.Serializable;
import java.util.Objects;

/**
 * How curated pairs become training examples.
 *
 * @param imageSize side of the square training image in pixels (default 32, the CPU demo's size)
 * @param pixelFormat layout of {@code Example.image} (default {@link PixelFormat#RGB8_HWC}, raw
 *     uint8 pixels; {@link PixelFormat#PNG} re-encodes the resized image, for large sizes where raw
 *     pixels would cost too much Kafka bandwidth)
 * @param maxTokens longest token sequence including end-of-sequence (default 64); longer captions
 *     are cut
 * @param maxImagePixels largest image the stage decodes (default 40,000,000, the filter's bound): a
 *     guard for topics written by something other than the filter
 */
public record TokenizeConfig(
        int imageSize, PixelFormat pixelFormat, int maxTokens, long maxImagePixels)
        implements Serializable {

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
    }

    /** The documented defaults. */
    public static TokenizeConfig defaults() {
        return new TokenizeConfig(32, PixelFormat.RGB8_HWC, 64, 40_000_000L);
    }

    public TokenizeConfig withImageSize(int size) {
        return new TokenizeConfig(size, pixelFormat, maxTokens, maxImagePixels);
    }

    public TokenizeConfig withPixelFormat(PixelFormat format) {
        return new TokenizeConfig(imageSize, format, maxTokens, maxImagePixels);
    }

    public TokenizeConfig withMaxTokens(int tokens) {
        return new TokenizeConfig(imageSize, pixelFormat, tokens, maxImagePixels);
    }

    /** The tokenizer this configuration uses. */
    public CaptionTokenizer tokenizer() {
        return new ByteTokenizer(maxTokens);
    }
}
