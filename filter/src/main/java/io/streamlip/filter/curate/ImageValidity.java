package io.streamlip.filter.curate;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Optional;

/**
 * Decides whether image bytes are a usable image, cheapest test first: presence and encoded size,
 * the format from the first bytes (only {@link Images#ALLOWED_FORMATS}), then the header ({@code
 * Images#probe}: format, width, height, no pixels decoded), the container's structure (it reaches
 * its end marker), and only when all of that is acceptable a decode of every byte, which proves the
 * bytes hold a whole image: a JPEG at the smallest DCT scale whose sides stay at least the
 * fingerprint's need ({@link Images#decodeAtLeast}), anything else whole.
 *
 * <p>A decompression bomb is refused from its header, before any pixel is allocated; the decode
 * reads every byte but materialises at most {@link FilterConfig#maxDecodedPixels()} pixels (a
 * larger image comes back subsampled, {@link Images#decode(byte[], long)}).
 *
 * <p>The decode is strict: ImageIO decodes a truncated JPEG without an error, filling the missing
 * rows with grey and only reporting a warning; such warnings count as corruption here.
 */
public final class ImageValidity implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;
    private final int minDecodedSide;

    /** Decoding no larger than the fingerprint needs ({@link PerceptualHash#MIN_DECODED_SIDE}). */
    public ImageValidity(FilterConfig config) {
        this(config, PerceptualHash.MIN_DECODED_SIDE);
    }

    /**
     * @param minDecodedSide the shortest side a decoded image keeps ({@link Images#decodeAtLeast});
     *     {@link Integer#MAX_VALUE} decodes at full size
     */
    public ImageValidity(FilterConfig config, int minDecodedSide) {
        if (minDecodedSide < 1) {
            throw new IllegalArgumentException("minDecodedSide must be positive");
        }
        this.config = config;
        this.minDecodedSide = minDecodedSide;
    }

    /**
     * An image that passed: its header and its pixels, upright by its EXIF orientation, reduced to
     * the scale the fingerprint needs (a JPEG) or subsampled when the header's size exceeds {@link
     * FilterConfig#maxDecodedPixels()}.
     */
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
        return decode(bytes, null);
    }

    /**
     * {@link #decode(byte[])} with the decoder's working memory from {@code buffers} (one per
     * thread; null: its own), the same verdict and pixels.
     */
    public Verdict<ValidImage> decode(byte[] bytes, Images.DecodeBuffers buffers) {
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
        Optional<String> format = Images.sniff(bytes);
        if (format.isPresent() && !Images.ALLOWED_FORMATS.contains(format.get())) {
            return Verdict.refuse(
                    RejectReason.IMAGE_FORMAT_NOT_ALLOWED,
                    format.get()
                            + " is not an allowed image format (png, jpeg, gif, bmp); "
                            + bytes.length
                            + " bytes, not decoded");
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
            Images.Scaled scaled =
                    buffers == null
                            ? Images.decodeAtLeast(bytes, config.maxDecodedPixels(), minDecodedSide)
                            : Images.decodeAtLeast(
                                    bytes, config.maxDecodedPixels(), minDecodedSide, buffers);
            BufferedImage image = scaled.image();
            if (!scaled.matches(header)) {
                int factor = scaled.divisor();
                return Verdict.refuse(
                        RejectReason.IMAGE_UNDECODABLE,
                        "decoded "
                                + image.getWidth()
                                + "x"
                                + image.getHeight()
                                + " but the header says "
                                + header.width()
                                + "x"
                                + header.height()
                                + (factor > 1 ? " (scaled by 1/" + factor + ")" : ""));
            }
            return Verdict.accept(new ValidImage(header, image));
        } catch (Images.UndecodableImageException e) {
            return Verdict.refuse(
                    RejectReason.IMAGE_UNDECODABLE, header.format() + ": " + e.getMessage());
        }
    }

    /**
     * Why the container ends early, or null: a PNG's chunks, walked by their lengths, must reach
     * its {@code IEND} chunk; a JPEG's segments and scans, walked marker by marker, must reach its
     * end-of-image marker {@code FF D9}; a GIF's first image must hold its data whole. Bytes after
     * the end are allowed (servers and editors append them). Checked before decoding, so a cut
     * download has its own reason rather than a decoder's error.
     */
    static String truncation(String format, byte[] bytes) {
        if (format.equals("png")) {
            return pngReachesIend(bytes)
                    ? null
                    : "PNG of " + bytes.length + " bytes ends before its IEND chunk";
        } else if (format.equals("jpeg")) {
            return Images.jpegReachesEoi(bytes)
                    ? null
                    : "JPEG of " + bytes.length + " bytes lacks its end-of-image marker";
        } else if (format.equals("gif")) {
            return gifImageDataComplete(bytes)
                    ? null
                    : "GIF of " + bytes.length + " bytes ends inside its first image's data";
        }
        return null;
    }

    /**
     * Whether a GIF's blocks, walked up to its first image, hold that image's data whole (down to
     * the data's terminating empty sub-block). ImageIO decodes a GIF cut inside its data without a
     * word, so this is the only check that finds the cut. The trailer byte is not required (many
     * encoders leave it out, and browsers show such files); anything unexpected is left to the
     * decoder.
     */
    private static boolean gifImageDataComplete(byte[] b) {
        int n = b.length;
        if (n < 13) {
            return false;
        }
        int at = 13 + colourTableBytes(b[10]);
        while (at < n) {
            int block = b[at] & 0xff;
            if (block == 0x21) { // extension: label, then sub-blocks
                at = afterSubBlocks(b, at + 2);
                if (at < 0) {
                    return false;
                }
            } else if (block == 0x2C) { // image descriptor
                if (at + 11 > n) {
                    return false;
                }
                at += 10 + colourTableBytes(b[at + 9]) + 1; // + LZW minimum code size
                return afterSubBlocks(b, at) >= 0;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Bytes of the colour table a GIF packed-fields byte announces. */
    private static int colourTableBytes(byte flags) {
        return (flags & 0x80) != 0 ? 3 * (2 << (flags & 7)) : 0;
    }

    /** Where the sub-blocks starting at {@code at} end (after their empty one); -1 if cut. */
    private static int afterSubBlocks(byte[] b, int at) {
        while (true) {
            if (at >= b.length) {
                return -1;
            }
            int size = b[at] & 0xff;
            at++;
            if (size == 0) {
                return at;
            }
            at += size;
        }
    }

    private static boolean pngReachesIend(byte[] b) {
        long at = 8; // after the signature
        while (at + 8 <= b.length) {
            int i = (int) at;
            long length =
                    ((b[i] & 0xffL) << 24)
                            | ((b[i + 1] & 0xff) << 16)
                            | ((b[i + 2] & 0xff) << 8)
                            | (b[i + 3] & 0xff);
            boolean iend = b[i + 4] == 'I' && b[i + 5] == 'E' && b[i + 6] == 'N' && b[i + 7] == 'D';
            at += 12 + length; // length, type, data, CRC
            if (iend) {
                return at <= b.length;
            }
        }
        return false;
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
