package io.streamlip.filter;

import io.streamlip.ingest.image.Images;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Optional;

/**
 * Decides whether image bytes are a usable image, cheapest test first: presence and encoded size,
 * then the header ({@link Images#probe}: format, width, height, no pixels decoded), and only when
 * the header is acceptable a full decode, which proves the bytes hold a whole image.
 *
 * <p>The order matters: a decompression bomb (a tiny file whose header claims billions of pixels)
 * is refused from its header, before a decoder allocates its pixels.
 *
 * <p>The decode is strict: ImageIO decodes a truncated JPEG without an error, filling the missing
 * rows with grey and only reporting a warning; such warnings count as corruption here.
 */
public final class ImageValidity implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;

    public ImageValidity(FilterConfig config) {
        this.config = config;
    }

    /** The image's header when the bytes are an acceptable, fully decodable image. */
    public Verdict<Images.Header> check(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Verdict.refuse(RejectReason.IMAGE_MISSING, "no image bytes");
        }
        if (bytes.length > config.maxImageBytes()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_TOO_LARGE,
                    "encoded image of "
                            + bytes.length
                            + " bytes exceeds "
                            + config.maxImageBytes());
        }
        Optional<Images.Header> probed = Images.probe(bytes);
        if (probed.isEmpty()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_UNDECODABLE,
                    "unknown image format or unreadable header ("
                            + bytes.length
                            + " bytes, starting "
                            + Images.hexPrefix(bytes)
                            + ")");
        }
        Images.Header header = probed.get();
        Verdict<Images.Header> bySize = checkSize(header);
        if (!bySize.accepted()) {
            return bySize;
        }
        try {
            BufferedImage image = Images.decode(bytes);
            if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
                return Verdict.refuse(
                        RejectReason.IMAGE_UNDECODABLE,
                        "decoded "
                                + image.getWidth()
                                + "x"
                                + image.getHeight()
                                + " but the header says "
                                + header.width()
                                + "x"
                                + header.height());
            }
            return Verdict.accept(header);
        } catch (Images.UndecodableImageException e) {
            return Verdict.refuse(
                    RejectReason.IMAGE_UNDECODABLE, header.format() + ": " + e.getMessage());
        }
    }

    /** Applies the size bounds to what the header claims. */
    Verdict<Images.Header> checkSize(Images.Header header) {
        int w = header.width();
        int h = header.height();
        String size = header.format() + " " + w + "x" + h;
        if (w <= 0 || h <= 0) {
            return Verdict.refuse(RejectReason.IMAGE_UNDECODABLE, "header claims " + size);
        }
        if (header.pixels() > config.maxImagePixels()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_TOO_LARGE,
                    size
                            + " = "
                            + header.pixels()
                            + " pixels exceeds "
                            + config.maxImagePixels()
                            + " (refused from the header, not decoded)");
        }
        if (Math.min(w, h) < config.minImageSide()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_TOO_SMALL,
                    size + " has a side below " + config.minImageSide() + " px");
        }
        double aspect = (double) Math.max(w, h) / Math.min(w, h);
        if (aspect > config.maxAspectRatio()) {
            return Verdict.refuse(
                    RejectReason.IMAGE_ASPECT,
                    String.format(
                            java.util.Locale.ROOT,
                            "%s has aspect ratio %.2f, above %.2f",
                            size,
                            aspect,
                            config.maxAspectRatio()));
        }
        return Verdict.accept(header);
    }
}
