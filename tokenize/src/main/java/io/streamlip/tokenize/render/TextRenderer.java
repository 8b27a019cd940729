package io.streamlip.tokenize.render;

import java.util.Arrays;
import java.util.Locale;

/**
 * Renders a caption as a square grayscale image, CLIPPO's layout (big_vision {@code
 * render_unifont}): one 16-pixel Unifont glyph per code point, each trimmed horizontally to its ink
 * plus {@code spacing} columns and no narrower than {@code minWidth}; glyphs laid left to right and
 * wrapped onto the next 16-pixel row when the row is full (no word-aware breaking, as in CLIPPO);
 * rows past the bottom are cut. No shaping: Arabic letters keep their isolated forms and Devanagari
 * its unjoined letters, exactly as CLIPPO's renderer shows them.
 *
 * <p>A code point the font lacks is drawn as an empty box and counted ({@link
 * Rendering#missing()}). Thread-safe and deterministic.
 */
public final class TextRenderer {
    private final BitmapFont font;
    private final TextRenderConfig config;

    public TextRenderer(BitmapFont font, TextRenderConfig config) {
        this.font = font;
        this.config = config;
    }

    /** With the font of {@code fontFileBytes} (a {@code .hex} file's bytes, gzipped or not). */
    public static TextRenderer open(TextRenderConfig config, byte[] fontFileBytes) {
        return new TextRenderer(BitmapFont.read(fontFileBytes), config);
    }

    /** Reads the configured font. */
    public static TextRenderer open(TextRenderConfig config) {
        return new TextRenderer(BitmapFont.read(java.nio.file.Path.of(config.fontFile())), config);
    }

    /**
     * One rendered caption.
     *
     * @param pixels uint8 gray, row-major {@code size x size}
     * @param size side in pixels
     * @param codePoints code points laid out (whitespace included, after the {@code maxChars} cut)
     * @param missing code points the font has no glyph for
     * @param clipped code points that did not fit into the image
     */
    public record Rendering(byte[] pixels, int size, int codePoints, int missing, int clipped) {}

    /** Renders {@code caption} into a {@code size x size} image. */
    public Rendering render(String caption, int size) {
        if (size < BitmapFont.HEIGHT) {
            throw new IllegalArgumentException(
                    "image size must be at least " + BitmapFont.HEIGHT + ", got " + size);
        }
        byte[] pixels = new byte[size * size];
        Arrays.fill(pixels, (byte) config.backgroundBrightness());
        String text = config.lowercase() ? caption.toLowerCase(Locale.ROOT) : caption;
        int[] cps = text.codePoints().limit(config.maxChars()).toArray();
        int rows = size / BitmapFont.HEIGHT;
        int x = 0;
        int row = 0;
        int missing = 0;
        int clipped = 0;
        for (int cp : cps) {
            BitmapFont.Glyph glyph = font.glyph(cp);
            if (glyph == null) {
                missing++;
                glyph = box();
            }
            int first = glyph.width();
            int last = -1;
            for (int gx = 0; gx < glyph.width(); gx++) {
                for (int gy = 0; gy < BitmapFont.HEIGHT; gy++) {
                    if (glyph.ink(gx, gy)) {
                        first = Math.min(first, gx);
                        last = Math.max(last, gx);
                    }
                }
            }
            int inkWidth = last < 0 ? 0 : last - first + 1;
            int advance = Math.max(config.minWidth(), inkWidth + config.spacing());
            if (x + advance > size && x > 0) {
                x = 0;
                row++;
            }
            if (row >= rows) {
                clipped++;
                continue;
            }
            int top = row * BitmapFont.HEIGHT;
            for (int gy = 0; gy < BitmapFont.HEIGHT; gy++) {
                for (int gx = 0; gx < inkWidth; gx++) {
                    int px = x + gx;
                    if (px < size && glyph.ink(first + gx, gy)) {
                        pixels[(top + gy) * size + px] = (byte) config.textBrightness();
                    }
                }
            }
            x += advance;
        }
        return new Rendering(pixels, size, cps.length, missing, clipped);
    }

    /** The stand-in for a missing glyph: an 8 x 16 outline box. */
    private static BitmapFont.Glyph box() {
        int[] rows = new int[BitmapFont.HEIGHT];
        rows[1] = 0x7E;
        rows[14] = 0x7E;
        for (int y = 2; y < 14; y++) {
            rows[y] = 0x42;
        }
        return new BitmapFont.Glyph(8, rows);
    }

    public BitmapFont font() {
        return font;
    }
}
