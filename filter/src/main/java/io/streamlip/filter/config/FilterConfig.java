package io.streamlip.filter.config;

import io.streamlip.filter.fetch.FetchConfig;
import io.streamlip.filter.score.CrossModalConfig;
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
        long maxDecodedPixels,
        // opt-out files and the blocklist topic; default BlocklistConfig.defaults() (the topic)
        BlocklistConfig blocklist,
        // the cross-modal score filter with the trainer's newest model; default
        // CrossModalConfig.defaults() (off)
        CrossModalConfig crossModal,
        // fetching the image of a pair that carries only its URL; default FetchConfig.defaults()
        FetchConfig fetch)
        implements Serializable {

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
        Objects.requireNonNull(blocklist, "blocklist");
        Objects.requireNonNull(crossModal, "crossModal");
        Objects.requireNonNull(fetch, "fetch");
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
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link FilterConfig}; each setting starts at its default, named as its component.
     */
    public static final class Builder {
        private int minImageSide = 16;
        private long maxImagePixels = 40_000_000L;
        private int maxImageBytes = 8 * 1024 * 1024;
        private double maxAspectRatio = 8.0;
        private int minCaptionChars = 2;
        private int maxCaptionChars = 1000;
        private Duration dedupRetention = Duration.ofDays(7);
        private TextQualityConfig text = TextQualityConfig.defaults();
        private LanguageConfig language = LanguageConfig.defaults();
        private NearDuplicateConfig nearDuplicates = NearDuplicateConfig.defaults();
        private RecordBounds bounds = RecordBounds.defaults();
        private long maxDecodedPixels = Images.DEFAULT_MAX_DECODED_PIXELS;
        private BlocklistConfig blocklist = BlocklistConfig.defaults();
        private CrossModalConfig crossModal = CrossModalConfig.defaults();
        private FetchConfig fetch = FetchConfig.defaults();

        private Builder() {}

        private Builder(FilterConfig c) {
            minImageSide = c.minImageSide;
            maxImagePixels = c.maxImagePixels;
            maxImageBytes = c.maxImageBytes;
            maxAspectRatio = c.maxAspectRatio;
            minCaptionChars = c.minCaptionChars;
            maxCaptionChars = c.maxCaptionChars;
            dedupRetention = c.dedupRetention;
            text = c.text;
            language = c.language;
            nearDuplicates = c.nearDuplicates;
            bounds = c.bounds;
            maxDecodedPixels = c.maxDecodedPixels;
            blocklist = c.blocklist;
            crossModal = c.crossModal;
            fetch = c.fetch;
        }

        public Builder minImageSide(int value) {
            minImageSide = value;
            return this;
        }

        public Builder maxImagePixels(long value) {
            maxImagePixels = value;
            return this;
        }

        public Builder maxImageBytes(int value) {
            maxImageBytes = value;
            return this;
        }

        public Builder maxAspectRatio(double value) {
            maxAspectRatio = value;
            return this;
        }

        public Builder minCaptionChars(int value) {
            minCaptionChars = value;
            return this;
        }

        public Builder maxCaptionChars(int value) {
            maxCaptionChars = value;
            return this;
        }

        public Builder dedupRetention(Duration value) {
            dedupRetention = value;
            return this;
        }

        public Builder text(TextQualityConfig value) {
            text = value;
            return this;
        }

        public Builder language(LanguageConfig value) {
            language = value;
            return this;
        }

        public Builder nearDuplicates(NearDuplicateConfig value) {
            nearDuplicates = value;
            return this;
        }

        public Builder bounds(RecordBounds value) {
            bounds = value;
            return this;
        }

        public Builder maxDecodedPixels(long value) {
            maxDecodedPixels = value;
            return this;
        }

        public Builder blocklist(BlocklistConfig value) {
            blocklist = value;
            return this;
        }

        public Builder crossModal(CrossModalConfig value) {
            crossModal = value;
            return this;
        }

        public Builder fetch(FetchConfig value) {
            fetch = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public FilterConfig build() {
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
                    maxDecodedPixels,
                    blocklist,
                    crossModal,
                    fetch);
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
