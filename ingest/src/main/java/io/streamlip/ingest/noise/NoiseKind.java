package io.streamlip.ingest.noise;

import java.util.Locale;

/**
 * What the web-noise simulator did to a pair. The {@link #code()}s are stable: they are the Kafka
 * header values of the ground truth and the keys of {@code streamlip bench curation}'s JSON.
 */
public enum NoiseKind {
    /** A pair of the clean source, untouched. */
    CLEAN,
    /**
     * A clean pair that repeats an earlier clean pair of the source exactly (same image bytes and
     * caption): not injected, but labelled, since a filter is right to refuse it.
     */
    SOURCE_DUPLICATE,
    /** Bytes that are no image: random bytes, or a PNG signature followed by garbage. */
    CORRUPT,
    /** A real PNG or JPEG cut short. */
    TRUNCATED,
    /** A decompression bomb: a small PNG whose header claims 50,000 x 50,000 pixels. */
    BOMB,
    /** The image shrunk to a few pixels (a tracking pixel, a spacer). */
    TINY,
    /** The image stretched into a banner (aspect ratio 16). */
    ASPECT,
    /** An earlier clean pair again, image and caption byte for byte, under a new id. */
    EXACT_DUPLICATE,
    /**
     * An earlier clean pair's image re-encoded (JPEG), resized, slightly cropped or shifted, with
     * the same caption.
     */
    NEAR_DUPLICATE,
    /** One new image repeated with many different captions (a logo on many pages). */
    MANY_CAPTIONS,
    /** Boilerplate alt-text: a file name, "click here", a URL, a repeated character. */
    BOILERPLATE,
    /** A clean image with the caption of another image in the same language. */
    UNRELATED_CAPTION,
    /** A clean image whose caption is in another language than the declared one. */
    WRONG_LANGUAGE,
    /** An image of a configured evaluation set, as is or lightly re-encoded. */
    EVAL_IMAGE;

    /** Lower-case code, e.g. {@code near_duplicate}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind of {@code code}; throws for an unknown code. */
    public static NoiseKind of(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** Whether a correct curation refuses pairs of this kind. */
    public boolean isNoise() {
        return this != CLEAN;
    }
}
