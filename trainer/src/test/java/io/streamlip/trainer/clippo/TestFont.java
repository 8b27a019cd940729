package io.streamlip.trainer.clippo;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.render.TextRenderConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A stand-in for GNU Unifont in tests (the real one is not shipped): an 8 x 16 {@code .hex} glyph
 * for printable ASCII and every character of the synthetic captions, each a distinct pattern three
 * columns wide (so a glyph advances 4 px and 32 px hold 8 of them per row).
 */
public final class TestFont {
    private TestFont() {}

    /** Writes the font to {@code dir/test-font.hex} and returns the rendering that reads it. */
    public static TextRenderConfig write(Path dir) {
        TreeSet<Integer> codePoints = new TreeSet<>();
        for (int c = 0x20; c < 0x7f; c++) {
            codePoints.add(c);
        }
        for (int shape = 0; shape < 6; shape++) {
            for (int colour = 0; colour < 8; colour++) {
                for (String lang : SyntheticPairs.LANGUAGES) {
                    String caption = SyntheticPairs.caption(shape, colour, lang);
                    caption.codePoints().forEach(codePoints::add);
                    caption.toLowerCase(java.util.Locale.ROOT)
                            .codePoints()
                            .forEach(codePoints::add);
                }
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int cp : codePoints) {
            hex.append(String.format("%04X:", cp));
            SplittableRandom random = new SplittableRandom(cp * 7919L);
            for (int row = 0; row < 16; row++) {
                int bits = 0;
                if (cp != ' ') {
                    // columns 2..4 (bits 5..3); the bottom row inks all three so every glyph's
                    // ink is exactly three columns wide
                    bits = row == 15 ? 0x38 : (random.nextInt(8) << 3);
                }
                hex.append(String.format("%02X", bits));
            }
            hex.append('\n');
        }
        Path file = dir.resolve("test-font.hex");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, hex, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TextRenderConfig.defaults(file.toString());
    }
}
