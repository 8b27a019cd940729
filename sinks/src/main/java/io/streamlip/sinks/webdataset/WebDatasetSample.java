package io.streamlip.sinks.webdataset;

import java.util.Objects;

/**
 * One WebDataset sample: an encoded image, its caption and a JSON object of metadata. In a shard it
 * becomes the three adjacent members {@code <key>.<imageExtension>}, {@code <key>.txt} and {@code
 * <key>.json}.
 *
 * @param imageExtension {@code png} or {@code jpg} (what open_clip's {@code
 *     rename(image="jpg;png;jpeg;webp")} picks up), or any other extension a reader decodes
 * @param image the encoded image bytes
 * @param text the caption (written as UTF-8)
 * @param json metadata, one JSON object (written as UTF-8); may be null for none
 */
public record WebDatasetSample(String imageExtension, byte[] image, String text, String json) {
    public WebDatasetSample {
        if (imageExtension == null || !imageExtension.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("bad image extension '" + imageExtension + "'");
        }
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(text, "text");
    }
}
