package io.streamlip.tokenize.render;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A 16-pixel-high bitmap font in GNU Unifont's {@code .hex} format: one line per code point, {@code
 * XXXX:} then 32 hex digits (an 8 x 16 glyph) or 64 (16 x 16), row by row, most significant bit
 * leftmost. This is the font CLIPPO renders with; reading it needs nothing from the system (no AWT
 * font, no installed fonts), so a rendering is the same on every machine.
 */
public final class BitmapFont {
    /** Glyph height in pixels. */
    public static final int HEIGHT = 16;

    /**
     * One glyph.
     *
     * @param width 8 or 16
     * @param rows {@link #HEIGHT} rows, bit {@code width - 1 - x} set where column x has ink
     */
    public record Glyph(int width, int[] rows) {
        public boolean ink(int x, int y) {
            return (rows[y] >>> (width - 1 - x) & 1) != 0;
        }
    }

    private final Map<Integer, Glyph> glyphs;

    private BitmapFont(Map<Integer, Glyph> glyphs) {
        this.glyphs = glyphs;
    }

    /** Reads a {@code .hex} file, or a gzipped one ({@code .hex.gz}). */
    public static BitmapFont read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in =
                        file.getFileName().toString().endsWith(".gz")
                                ? new GZIPInputStream(raw, 1 << 16)
                                : raw) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read font " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a {@code .hex} file's bytes, gzipped ({@code .hex.gz}) or not. */
    public static BitmapFont read(byte[] fileBytes) {
        boolean gzip =
                fileBytes.length >= 2
                        && (fileBytes[0] & 0xff) == 0x1f
                        && (fileBytes[1] & 0xff) == 0x8b;
        try (InputStream raw = new java.io.ByteArrayInputStream(fileBytes);
                InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the font", e);
        }
    }

    /** Reads {@code .hex} lines from {@code in} (not closed). */
    public static BitmapFont read(InputStream in) throws IOException {
        Map<Integer, Glyph> glyphs = new HashMap<>();
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String bits = colon < 0 ? "" : line.substring(colon + 1);
            if (colon < 1 || (bits.length() != 32 && bits.length() != 64)) {
                throw new IllegalArgumentException("line " + number + " is not a .hex glyph");
            }
            int width = bits.length() * 4 / HEIGHT;
            int digits = width / 4;
            int[] rows = new int[HEIGHT];
            for (int y = 0; y < HEIGHT; y++) {
                rows[y] = Integer.parseInt(bits.substring(y * digits, (y + 1) * digits), 16);
            }
            glyphs.put(Integer.parseInt(line.substring(0, colon), 16), new Glyph(width, rows));
        }
        if (glyphs.isEmpty()) {
            throw new IllegalArgumentException("no glyphs");
        }
        return new BitmapFont(glyphs);
    }

    /** The glyph of {@code codePoint}, or null where the font has none. */
    public Glyph glyph(int codePoint) {
        return glyphs.get(codePoint);
    }

    public boolean covers(int codePoint) {
        return glyphs.containsKey(codePoint);
    }

    public int size() {
        return glyphs.size();
    }

    /**
     * The font to use when none is configured: the file named by the system property {@code
     * streamlip.font} or the environment variable {@code STREAMLIP_FONT}, else {@code
     * unifont/unifont.hex(.gz)} under {@code dataDir}, else Debian's {@code unifont} package
     * ({@code /usr/share/unifont/unifont.hex}). Null when there is none.
     */
    public static Path locate(Path dataDir) {
        String named = System.getProperty("streamlip.font", System.getenv("STREAMLIP_FONT"));
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        for (Path candidate :
                new Path[] {
                    dataDir == null ? null : dataDir.resolve("unifont/unifont.hex"),
                    dataDir == null ? null : dataDir.resolve("unifont/unifont.hex.gz"),
                    Path.of("/usr/share/unifont/unifont.hex")
                }) {
            if (candidate != null && Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
