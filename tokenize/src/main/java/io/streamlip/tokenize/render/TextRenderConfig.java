package io.streamlip.tokenize.render;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a caption is rendered for CLIPPO (big_vision's {@code render_unifont} defaults).
 *
 * @param fontFile the Unifont {@code .hex} or {@code .hex.gz} file ({@link BitmapFont#locate});
 *     read where the tokenize job is built ({@code ExampleBuilder}) and carried inside the
 *     operator, so TaskManagers need no copy
 * @param lowercase lower-case the caption first (default true, as CLIPPO trained)
 * @param textBrightness gray level of ink (default 0, black)
 * @param backgroundBrightness gray level of the background (default 127)
 * @param spacing blank columns after each glyph's ink (default 1)
 * @param minWidth narrowest advance in pixels, e.g. for a space (default 4)
 * @param maxChars code points rendered at most (default 768); the rest is cut
 */
public record TextRenderConfig(
        String fontFile,
        boolean lowercase,
        int textBrightness,
        int backgroundBrightness,
        int spacing,
        int minWidth,
        int maxChars)
        implements Serializable {

    public TextRenderConfig {
        Objects.requireNonNull(fontFile, "fontFile");
        if (textBrightness < 0 || textBrightness > 255) {
            throw new IllegalArgumentException("textBrightness must be 0-255");
        }
        if (backgroundBrightness < 0 || backgroundBrightness > 255) {
            throw new IllegalArgumentException("backgroundBrightness must be 0-255");
        }
        if (spacing < 0 || minWidth < 1 || maxChars < 1) {
            throw new IllegalArgumentException(
                    "need spacing >= 0, minWidth >= 1 and maxChars >= 1");
        }
    }

    /** CLIPPO's defaults with {@code fontFile}. */
    public static TextRenderConfig defaults(String fontFile) {
        return builder().fontFile(fontFile).build();
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
     * Builds a {@link TextRenderConfig}; each setting starts at its default and is named as its
     * component; {@code fontFile} has none and must be set.
     */
    public static final class Builder {
        private String fontFile;
        private boolean lowercase = true;
        private int textBrightness = 0;
        private int backgroundBrightness = 127;
        private int spacing = 1;
        private int minWidth = 4;
        private int maxChars = 768;

        private Builder() {}

        private Builder(TextRenderConfig c) {
            fontFile = c.fontFile;
            lowercase = c.lowercase;
            textBrightness = c.textBrightness;
            backgroundBrightness = c.backgroundBrightness;
            spacing = c.spacing;
            minWidth = c.minWidth;
            maxChars = c.maxChars;
        }

        public Builder fontFile(String value) {
            fontFile = value;
            return this;
        }

        public Builder lowercase(boolean value) {
            lowercase = value;
            return this;
        }

        public Builder textBrightness(int value) {
            textBrightness = value;
            return this;
        }

        public Builder backgroundBrightness(int value) {
            backgroundBrightness = value;
            return this;
        }

        public Builder spacing(int value) {
            spacing = value;
            return this;
        }

        public Builder minWidth(int value) {
            minWidth = value;
            return this;
        }

        public Builder maxChars(int value) {
            maxChars = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public TextRenderConfig build() {
            return new TextRenderConfig(
                    fontFile,
                    lowercase,
                    textBrightness,
                    backgroundBrightness,
                    spacing,
                    minWidth,
                    maxChars);
        }
    }
}
