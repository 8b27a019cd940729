package io.streamlip.trainer.clippo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.tokenize.render.TextRenderer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * The caption rendering a CLIPPO model reads, on the trainer's side: the tokenize job's {@link
 * TextRenderer} with the same {@link TextRenderConfig} and the same font bytes, so that evaluation
 * texts become exactly the pixels training captions arrive as. Each CLIPPO checkpoint keeps a copy
 * ({@link #save}: the settings and the font, gzipped), so {@code streamlip eval} renders as the run
 * did without being told the font again.
 */
public final class ClippoRendering {
    /** The settings file inside a checkpoint. */
    public static final String SETTINGS_FILE = "clippo-render.json";

    /** The font file inside a checkpoint (GNU Unifont {@code .hex}, gzipped). */
    public static final String FONT_FILE = "clippo-font.hex.gz";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TextRenderConfig config;
    private final byte[] fontBytes;
    private final TextRenderer renderer;

    private ClippoRendering(TextRenderConfig config, byte[] fontBytes) {
        this.config = config;
        this.fontBytes = fontBytes;
        this.renderer = TextRenderer.open(config, fontBytes);
    }

    /**
     * The rendering of {@code config}, reading its font file.
     *
     * @throws UncheckedIOException when the font cannot be read
     */
    public static ClippoRendering open(TextRenderConfig config) {
        try {
            return new ClippoRendering(config, Files.readAllBytes(Path.of(config.fontFile())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the render font " + config.fontFile(), e);
        }
    }

    /** The rendering of {@code config} with the font of {@code fontFileBytes} (gzipped or not). */
    public static ClippoRendering of(TextRenderConfig config, byte[] fontFileBytes) {
        return new ClippoRendering(config, fontFileBytes);
    }

    /** Whether {@code checkpoint} holds a rendering ({@link #save}). */
    public static boolean isIn(Path checkpoint) {
        return Files.isRegularFile(checkpoint.resolve(SETTINGS_FILE))
                && Files.isRegularFile(checkpoint.resolve(FONT_FILE));
    }

    /**
     * The rendering a checkpoint was trained with.
     *
     * @throws IllegalArgumentException when it holds none
     */
    public static ClippoRendering fromCheckpoint(Path checkpoint) {
        if (!isIn(checkpoint)) {
            throw new IllegalArgumentException(
                    "checkpoint "
                            + checkpoint
                            + " holds no CLIPPO rendering ("
                            + SETTINGS_FILE
                            + ", "
                            + FONT_FILE
                            + "): give the font the run rendered with (streamlip eval"
                            + " --render-font FILE)");
        }
        try {
            TextRenderConfig settings =
                    JSON.readValue(
                            checkpoint.resolve(SETTINGS_FILE).toFile(), TextRenderConfig.class);
            return new ClippoRendering(settings, Files.readAllBytes(checkpoint.resolve(FONT_FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the rendering of " + checkpoint, e);
        }
    }

    /**
     * The rendering of a checkpoint with the font {@code fontFile} instead of its own copy (for
     * checkpoints written without one): the checkpoint's settings, or the tokenize job's defaults
     * where it has none.
     *
     * @throws UncheckedIOException when the font or the settings cannot be read
     */
    public static ClippoRendering fromCheckpoint(Path checkpoint, Path fontFile) {
        TextRenderConfig settings;
        if (Files.isRegularFile(checkpoint.resolve(SETTINGS_FILE))) {
            try {
                settings =
                        JSON
                                .readValue(
                                        checkpoint.resolve(SETTINGS_FILE).toFile(),
                                        TextRenderConfig.class)
                                .toBuilder()
                                .fontFile(fontFile.toString())
                                .build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the rendering of " + checkpoint, e);
            }
        } else {
            settings = TextRenderConfig.defaults(fontFile.toString());
        }
        return open(settings);
    }

    /** Writes {@link #SETTINGS_FILE} and {@link #FONT_FILE} into {@code folder}. */
    public void save(Path folder) throws IOException {
        JSON.writeValue(folder.resolve(SETTINGS_FILE).toFile(), config);
        Files.write(folder.resolve(FONT_FILE), gzipped(fontBytes));
    }

    /**
     * The caption as uint8 gray pixels, row-major {@code size x size}, as the tokenize job does.
     */
    public byte[] render(String caption, int size) {
        return renderer.render(caption, size).pixels();
    }

    public TextRenderConfig config() {
        return config;
    }

    /**
     * Writes rendering {@code index} of a batch in image layout: uint8 gray {@code H x W} becomes
     * the same float {@code v / 127.5 - 1} on each of the three channels (CLIPPO's gray-to-RGB).
     */
    public static void putRendered(byte[] gray, int size, float[] dst, int index) {
        int plane = size * size;
        if (gray.length != plane) {
            throw new IllegalArgumentException(
                    "expected " + plane + " rendered bytes, got " + gray.length);
        }
        int base = index * 3 * plane;
        for (int p = 0; p < plane; p++) {
            float v = (gray[p] & 0xff) / 127.5f - 1f;
            dst[base + p] = v;
            dst[base + plane + p] = v;
            dst[base + 2 * plane + p] = v;
        }
    }

    private static byte[] gzipped(byte[] bytes) throws IOException {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (OutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
