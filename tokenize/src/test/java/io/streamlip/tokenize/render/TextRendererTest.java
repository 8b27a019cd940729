package io.streamlip.tokenize.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextRendererTest {
    /** 'a': ink in columns 2-5 of an 8-wide glyph (advance 4 + 1); ' ': blank; 'w': 16 wide. */
    static final String HEX =
            "0020:00000000000000000000000000000000\n"
                    + "0061:"
                    + "3C".repeat(16)
                    + "\n"
                    + "0077:"
                    + "FFFF".repeat(16)
                    + "\n";

    private static BitmapFont font() throws Exception {
        return BitmapFont.read(new ByteArrayInputStream(HEX.getBytes(StandardCharsets.US_ASCII)));
    }

    private static TextRenderer renderer() throws Exception {
        return new TextRenderer(font(), TextRenderConfig.defaults("unused"));
    }

    private static int ink(byte[] pixels, int size, int rowFrom, int rowTo) {
        int n = 0;
        for (int y = rowFrom; y < rowTo; y++) {
            for (int x = 0; x < size; x++) {
                if (pixels[y * size + x] == 0) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void readsHexGlyphsOfBothWidths() throws Exception {
        BitmapFont font = font();
        assertThat(font.size()).isEqualTo(3);
        assertThat(font.glyph('a').width()).isEqualTo(8);
        assertThat(font.glyph('w').width()).isEqualTo(16);
        assertThat(font.glyph('a').ink(2, 0)).isTrue();
        assertThat(font.glyph('a').ink(1, 0)).isFalse();
        assertThat(font.covers('b')).isFalse();
    }

    @Test
    void readsAGzippedFontFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("unifont.hex.gz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(HEX.getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(file, bytes.toByteArray());
        assertThat(BitmapFont.read(file).size()).isEqualTo(3);
        Files.writeString(dir.resolve("bad.hex"), "0061:123\n");
        assertThatThrownBy(() -> BitmapFont.read(dir.resolve("bad.hex")))
                .hasMessageContaining("line 1");
    }

    @Test
    void isDeterministicAndDrawsInkOnGray() throws Exception {
        TextRenderer.Rendering a = renderer().render("awa", 32);
        TextRenderer.Rendering b = renderer().render("awa", 32);
        assertThat(a.pixels()).isEqualTo(b.pixels()).hasSize(32 * 32);
        // 'a' 4 x 16 ink + 'w' 16 x 16; the second 'a' (x = 5 + 17 = 22) fits: 4 + 16 + 4 columns.
        assertThat(ink(a.pixels(), 32, 0, 16)).isEqualTo((4 + 16 + 4) * 16);
        // Trimmed to its ink: 'a' fills columns 0-3, one blank column, then 'w' from column 5.
        assertThat(a.pixels()[0]).isEqualTo((byte) 0);
        assertThat(a.pixels()[4]).isEqualTo((byte) 127);
        assertThat(a.pixels()[5]).isEqualTo((byte) 0);
        assertThat(a.pixels()[16 * 32]).isEqualTo((byte) 127);
        assertThat(a.codePoints()).isEqualTo(3);
        assertThat(a.missing()).isZero();
    }

    @Test
    void wrapsOntoTheNextRowAndClipsBelowTheImage() throws Exception {
        // Each 'a' advances 5 px: 6 fit into 32 px, then a new row; two rows in a 32 px image.
        TextRenderer.Rendering r = renderer().render("a".repeat(20), 32);
        assertThat(ink(r.pixels(), 32, 0, 16)).isEqualTo(6 * 4 * 16);
        assertThat(ink(r.pixels(), 32, 16, 32)).isEqualTo(6 * 4 * 16);
        assertThat(r.clipped()).isEqualTo(8);
        // A space is minWidth (4) wide: "a a" ends at 5 + 4 + 5.
        TextRenderer.Rendering spaced = renderer().render("a a", 16);
        assertThat(spaced.pixels()[9]).isEqualTo((byte) 0);
        assertThat(spaced.pixels()[8]).isEqualTo((byte) 127);
    }

    @Test
    void emptyCaptionIsABlankImage() throws Exception {
        TextRenderer.Rendering r = renderer().render("", 16);
        assertThat(r.codePoints()).isZero();
        assertThat(ink(r.pixels(), 16, 0, 16)).isZero();
        assertThat(r.pixels()).containsOnly((byte) 127);
    }

    @Test
    void countsCodePointsTheFontLacksAndDrawsABox() throws Exception {
        TextRenderer.Rendering r = renderer().render("a😀b", 64);
        assertThat(r.codePoints()).isEqualTo(3);
        assertThat(r.missing()).isEqualTo(2);
        assertThat(ink(r.pixels(), 64, 0, 16)).isGreaterThan(4 * 16);
    }

    @Test
    void lowerCasesLikeClippo() throws Exception {
        assertThat(renderer().render("A", 16).pixels())
                .isEqualTo(renderer().render("a", 16).pixels());
        TextRenderer keepCase =
                new TextRenderer(
                        font(),
                        TextRenderConfig.builder().fontFile("unused").lowercase(false).build());
        assertThat(keepCase.render("A", 16).missing()).isEqualTo(1);
    }
}
