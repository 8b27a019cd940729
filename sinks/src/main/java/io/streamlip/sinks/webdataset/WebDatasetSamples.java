package io.streamlip.sinks.webdataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.RawPair;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.util.Locale;

/** The pipeline's records as WebDataset samples. */
public final class WebDatasetSamples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebDatasetSamples() {}

    /**
     * A curated pair: its original image bytes ({@code png} or {@code jpg}; another format, e.g.
     * GIF or BMP, re-encoded as PNG so every reader decodes it), the normalised caption, and as
     * JSON: {@code id, caption, alt_text, lang, lang_confidence, source, url, width, height,
     * sha256, phash, text_quality, crossmodal_score, model_version, crawl_time} (absent values
     * omitted).
     */
    public static WebDatasetSample of(CuratedPair curated) {
        RawPair raw = curated.getPair();
        byte[] bytes = bytes(raw.getImage());
        String format = curated.getImageFormat().toLowerCase(Locale.ROOT);
        String extension;
        byte[] image;
        switch (format) {
            case "png" -> {
                extension = "png";
                image = bytes;
            }
            case "jpeg", "jpg" -> {
                extension = "jpg";
                image = bytes;
            }
            default -> {
                extension = "png";
                image = reencode(bytes, raw.getId());
            }
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("id", raw.getId());
        json.put("caption", curated.getCaption());
        json.put("alt_text", raw.getAltText());
        json.put("lang", curated.getLang());
        json.put("lang_confidence", curated.getLangConfidence());
        json.put("source", raw.getSource());
        if (raw.getImageUrl() != null) {
            json.put("url", raw.getImageUrl());
        }
        json.put("width", curated.getImageWidth());
        json.put("height", curated.getImageHeight());
        json.put("sha256", curated.getImageSha256());
        if (curated.getPhash() != null) {
            json.put("phash", String.format("%016x", curated.getPhash()));
        }
        if (curated.getTextQuality() != null) {
            json.put("text_quality", curated.getTextQuality());
        }
        if (curated.getCrossmodalScore() != null) {
            json.put("crossmodal_score", curated.getCrossmodalScore());
        }
        if (curated.getModelVersion() != null) {
            json.put("model_version", curated.getModelVersion());
        }
        json.put("crawl_time", raw.getCrawlTime().toString());
        return new WebDatasetSample(extension, image, curated.getCaption(), write(json));
    }

    /**
     * A training example: its image at training size as PNG, its caption, and as JSON: {@code id,
     * lang, tokenizer_version, token_ids}.
     */
    public static WebDatasetSample of(Example example) {
        byte[] pixels = bytes(example.getImage());
        byte[] png =
                example.getImageFormat() == PixelFormat.PNG
                        ? pixels
                        : Images.png(rgbImage(pixels, example.getImageSize()));
        ObjectNode json = JSON.createObjectNode();
        json.put("id", example.getId());
        json.put("lang", example.getLang());
        json.put("tokenizer_version", example.getTokenizerVersion());
        var ids = json.putArray("token_ids");
        example.getTokenIds().forEach(ids::add);
        return new WebDatasetSample("png", png, example.getCaption(), write(json));
    }

    /** Row-major RGB {@code size x size x 3} bytes as an image. */
    static BufferedImage rgbImage(byte[] rgb, int size) {
        if (rgb.length != size * size * 3) {
            throw new IllegalArgumentException(
                    "expected " + size * size * 3 + " RGB bytes, got " + rgb.length);
        }
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }

    private static byte[] reencode(byte[] bytes, String id) {
        try {
            return Images.png(Images.decode(bytes));
        } catch (Images.UndecodableImageException e) {
            throw new IllegalArgumentException("image of " + id + " does not decode", e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("record carries no image bytes");
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static String write(ObjectNode json) {
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
