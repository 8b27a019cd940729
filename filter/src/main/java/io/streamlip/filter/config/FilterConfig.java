package io.streamlip.filter.config;

import io.streamlip.ingest.bounds.RecordBounds;
import io.streamlip.ingest.image.Images;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds of the curation stage. The defaults follow what web-scale image-text corpora (WebLI,
 * LAION) keep: any real photo or icon, no thumbnails, no decompression bombs, no banners.
 *
 * @param minImageSide smallest accepted width and height in pixels (default 16: emoji at 64 px
 *     pass, tracking pixels and spacer GIFs do not)
 * @param maxImagePixels largest accepted width x height, read from the header before decoding
 *     (default 40,000,000, about a 7,000 x 6,000 photo; a bomb claiming 50,000 x 50,000 is refused
 *     without allocating its pixels)
 * @param maxImageBytes largest accepted encoded image (default 8 MiB)
 * @param maxAspectRatio longest side over shortest side (default 8: banners and separators out)
 * @param minCaptionChars fewest characters (code points) of the normalised caption (default 2: one
 *     Latin letter is no caption; an ideograph, Hangul syllable or kana counts twice, since one
 *     such character is a word, e.g. "猫")
 * @param maxCaptionChars most characters of the normalised caption (default 1,000; alt-texts longer
 *     than that are page text, not captions)
 * @param dedupRetention how long the job remembers a (image, caption) pair it accepted (default 7
 *     days, the topics' retention); bounds the deduplication state
 * @param text boilerplate and blocklist ({@link TextQualityConfig#defaults()})
 * @param language language identification and caps ({@link LanguageConfig#defaults()})
 * @param nearDuplicates near-duplicate removal and evaluation-set decontamination ({@link
 *     NearDuplicateConfig#defaults()})
 * @param bounds every raw field's bound and the topics' record limit ({@link
 *     RecordBounds#defaults()})
 * @param maxDecodedPixels most pixels one image decode materialises (default {@code
 *     Images#DEFAULT_MAX_DECODED_PIXELS}, 2048 x 2048): a larger accepted image is decoded
 *     subsampled to at most this many pixels for its fingerprint, every byte still read. Each
 *     curate operator decodes one image at a time, so its image memory is at most this many pixels
 *     times about 16 bytes (a 4-byte raster pixel and the fingerprint's 12 bytes of working memory
 *     a pixel): 64 MiB at the default. Images within the bound are fingerprinted as ever.
 */
public record FilterConfig(
        int minImageSide,
        long maxImagePixels,
        int maxImageBytes,
        double maxAspectRatio,
        int minCaptionChars,
        int maxCaptionChars,
        Duration dedupRetention,
        TextQualityConfig text,
        LanguageConfig language,
        NearDuplicateConfig nearDuplicates,
        RecordBounds bounds,
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
