package io.streamlip.ingest.importer;

/**
 * Bounds on what a file importer (Parquet, TSV, JSONL, WebDataset) reads of one record: a value
 * beyond its bound is refused as {@code field_too_large} or {@code member_too_large}, without the
 * rest of the input being held in memory.
 *
 * @param maxLineBytes longest TSV or JSONL line and largest WebDataset {@code .txt}/{@code .json}
 *     member, in bytes (default 1 MiB); a JSONL line may add the base64 of one image
 * @param maxCaptionChars longest caption (default 16,384, the raw topic's alt-text bound)
 * @param maxUrlChars longest image URL (default 8,192, the raw topic's image_url bound)
 * @param maxFieldChars longest language, attribute value or WebDataset key (default 1,024)
 * @param maxImageBytes largest image carried inline (default 8 MiB, the filter's image bound)
 */
public record ImportBounds(
        int maxLineBytes,
        int maxCaptionChars,
        int maxUrlChars,
        int maxFieldChars,
        long maxImageBytes) {
    public ImportBounds {
        positive("maxLineBytes", maxLineBytes);
        positive("maxCaptionChars", maxCaptionChars);
        positive("maxUrlChars", maxUrlChars);
        positive("maxFieldChars", maxFieldChars);
        positive("maxImageBytes", maxImageBytes);
        if (maxImageBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(
                    "maxImageBytes must be below 2 GiB, got " + maxImageBytes);
        }
    }

    /** The documented defaults. */
    public static ImportBounds defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these bounds. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Longest JSONL line: {@link #maxLineBytes} plus the base64 of an image of {@link
     * #maxImageBytes}.
     */
    public long maxJsonlLineBytes() {
        return maxLineBytes + (maxImageBytes + 2) / 3 * 4;
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /**
     * Builds {@link ImportBounds}; each bound starts at its default and is named as its component.
     */
    public static final class Builder {
        private int maxLineBytes = 1 << 20;
        private int maxCaptionChars = 16_384;
        private int maxUrlChars = 8_192;
        private int maxFieldChars = 1_024;
        private long maxImageBytes = 8L << 20;

        private Builder() {}

        private Builder(ImportBounds b) {
            maxLineBytes = b.maxLineBytes;
            maxCaptionChars = b.maxCaptionChars;
            maxUrlChars = b.maxUrlChars;
            maxFieldChars = b.maxFieldChars;
            maxImageBytes = b.maxImageBytes;
        }

        public Builder maxLineBytes(int value) {
            maxLineBytes = value;
            return this;
        }

        public Builder maxCaptionChars(int value) {
            maxCaptionChars = value;
            return this;
        }

        public Builder maxUrlChars(int value) {
            maxUrlChars = value;
            return this;
        }

        public Builder maxFieldChars(int value) {
            maxFieldChars = value;
            return this;
        }

        public Builder maxImageBytes(long value) {
            maxImageBytes = value;
            return this;
        }

        /** The bounds; the record's constructor checks them. */
        public ImportBounds build() {
            return new ImportBounds(
                    maxLineBytes, maxCaptionChars, maxUrlChars, maxFieldChars, maxImageBytes);
        }
    }
}
