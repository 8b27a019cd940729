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

    /** An image that passed: its header and its pixels. */
    public record ValidImage(Images.Header header, BufferedImage image) {}

    /** The image's header when the bytes are an acceptable, fully decodable image. */
    public Verdict<Images.Header> check(byte[] bytes) {
        Verdict<ValidImage> verdict = decode(bytes);
        if (verdict instanceof Verdict.Refused<ValidImage> refused) {
            return refused.cast();
        }
        return Verdict.accept(verdict.value().header());
    }

    /** The header and pixels when the bytes are an acceptable, fully decodable image. */
    public Verdict<ValidImage> decode(byte[] bytes) {
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
        if (bySize instanceof Verdict.Refused<Images.Header> refused) {
            return refused.cast();
        }
        String cut = truncation(header.format(), bytes);
        if (cut != null) {
            return Verdict.refuse(RejectReason.IMAGE_TRUNCATED, header + ": " + cut);
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
            return Verdict.accept(new ValidImage(header, image));
        } catch (Images.UndecodableImageException e) {
            return Verdict.refuse(
                    RejectReason.IMAGE_UNDECODABLE, header.format() + ": " + e.getMessage());
        }
    }

    /**
     * Why the container ends early, or null: a PNG must end with its {@code IEND} chunk, a JPEG
     * with its end-of-image marker {@code FF D9} (trailing zero padding allowed). Checked before
     * decoding, so a cut download has its own reason rather than a decoder's error.
     */
    static String truncation(String format, byte[] bytes) {
        if (format.equals("png")) {
            byte[] iend = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};
            int at = bytes.length - iend.length;
            if (at < 0 || !java.util.Arrays.equals(bytes, at, bytes.length, iend, 0, iend.length)) {
                return "PNG of " + bytes.length + " bytes does not end with its IEND chunk";
            }
        } else if (format.equals("jpeg")) {
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] == 0) {
                end--;
            }
            if (end < 2 || bytes[end - 2] != (byte) 0xFF || bytes[end - 1] != (byte) 0xD9) {
                return "JPEG of " + bytes.length + " bytes lacks its end-of-image marker";
            }
        }
        return null;
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
