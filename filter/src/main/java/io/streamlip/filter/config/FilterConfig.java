package io.streamlip.filter.config;

import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.platform.image.Images;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds of the curation stage. The defaults follow what web-scale image-text corpora (WebLI,
 * LAION) keep: any real photo or icon, no thumbnails, no decompression bombs, no banners. Each
 * component's comment below gives what it is and its default; the longer why of each is in
 * docs/decisions/curation-thresholds.md.
 */
public record FilterConfig(
        // smallest accepted width and height in pixels; default 16
        int minImageSide,
        // largest width x height, read from the header before decoding; default 40,000,000
        long maxImagePixels,
        // largest accepted encoded image; default 8 MiB
        int maxImageBytes,
        // longest side over shortest side; default 8 (banners and separators out)
        double maxAspectRatio,
        // fewest code points of the normalised caption (CJK counts twice); default 2
        int minCaptionChars,
        // most code points of the normalised caption; default 1,000
        int maxCaptionChars,
        // how long an accepted (image, caption) pair is remembered; default 7 days
        Duration dedupRetention,
        // boilerplate and blocklist; default TextQualityConfig.defaults()
        TextQualityConfig text,
        // language identification and caps; default LanguageConfig.defaults()
        LanguageConfig language,
        // near copies and evaluation sets; default NearDuplicateConfig.defaults()
        NearDuplicateConfig nearDuplicates,
        // every raw field's bound and the record limit; default RecordBounds.defaults()
        RecordBounds bounds,
        // most pixels one decode materialises (larger images subsampled); default
        // Images.DEFAULT_MAX_DECODED_PIXELS, 2048 x 2048
        long maxDecodedPixels)
        implements Serializable {

    /** With the default record bounds and decoded-pixel bound. */
    public FilterConfig(
            int minImageSide,
            long maxImagePixels,
            int maxImageBytes,
            double maxAspectRatio,
            int minCaptionChars,
            int maxCaptionChars,
            Duration dedupRetention,
            TextQualityConfig text,
            LanguageConfig language,
            NearDuplicateConfig nearDuplicates) {
        this(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                language,
                nearDuplicates,
                RecordBounds.defaults(),
                Images.DEFAULT_MAX_DECODED_PIXELS);
    }

    /** The bounds alone, with the other filters at their defaults. */
    public FilterConfig(
            int minImageSide,
            long maxImagePixels,
            int maxImageBytes,
            double maxAspectRatio,
            int minCaptionChars,
            int maxCaptionChars,
            Duration dedupRetention) {
        this(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                TextQualityConfig.defaults(),
                LanguageConfig.defaults(),
                NearDuplicateConfig.defaults());
    }

    public FilterConfig {
        positive("minImageSide", minImageSide);
        positive("maxImagePixels", maxImagePixels);
        positive("maxImageBytes", maxImageBytes);
        if (!(maxAspectRatio >= 1)) {
            throw new IllegalArgumentException(
                    "maxAspectRatio must be at least 1, got " + maxAspectRatio);
        }
        positive("minCaptionChars", minCaptionChars);
        if (maxCaptionChars < minCaptionChars) {
            throw new IllegalArgumentException(
                    "maxCaptionChars ("
                            + maxCaptionChars
                            + ") must not be below minCaptionChars ("
                            + minCaptionChars
                            + ")");
        }
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        if (dedupRetention.isNegative() || dedupRetention.isZero()) {
            throw new IllegalArgumentException(
                    "dedupRetention must be positive, got " + dedupRetention);
        }
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(nearDuplicates, "nearDuplicates");
        Objects.requireNonNull(bounds, "bounds");
        if (maxDecodedPixels < 1 || maxDecodedPixels > MAX_DECODED_PIXELS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxDecodedPixels must lie in [1, "
                            + MAX_DECODED_PIXELS_LIMIT
                            + "], got "
                            + maxDecodedPixels);
        }
    }

    /** The largest {@code maxDecodedPixels}: a 4-byte-a-pixel raster must fit a Java array. */
    public static final long MAX_DECODED_PIXELS_LIMIT = 1L << 28;

    /** The documented defaults. */
    public static FilterConfig defaults() {
        return new FilterConfig(16, 40_000_000L, 8 * 1024 * 1024, 8.0, 2, 1000, Duration.ofDays(7));
    }

    public FilterConfig withImageBounds(int minSide, long maxPixels, double maxAspect) {
        return new FilterConfig(
                minSide,
                maxPixels,
                maxImageBytes,
                maxAspect,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                language,
                nearDuplicates,
                bounds,
                maxDecodedPixels);
    }

    public FilterConfig withCaptionBounds(int minChars, int maxChars) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minChars,
                maxChars,
                dedupRetention,
                text,
                language,
                nearDuplicates,
                bounds,
                maxDecodedPixels);
    }

    public FilterConfig withText(TextQualityConfig value) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                value,
                language,
                nearDuplicates,
                bounds,
                maxDecodedPixels);
    }

    public FilterConfig withLanguage(LanguageConfig value) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                value,
                nearDuplicates,
                bounds,
                maxDecodedPixels);
    }

    public FilterConfig withNearDuplicates(NearDuplicateConfig value) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                language,
                value,
                bounds,
                maxDecodedPixels);
    }

    public FilterConfig withBounds(RecordBounds value) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                language,
                nearDuplicates,
                value,
                maxDecodedPixels);
    }

    public FilterConfig withMaxDecodedPixels(long value) {
        return new FilterConfig(
                minImageSide,
                maxImagePixels,
                maxImageBytes,
                maxAspectRatio,
                minCaptionChars,
                maxCaptionChars,
                dedupRetention,
                text,
                language,
                nearDuplicates,
                bounds,
                value);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
