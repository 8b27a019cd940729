package io.streamlip.schemas;

/**
 * Why a stage refused a record. The {@link #code()} is what goes into {@link Reject#getReason()}:
 * stable, so dashboards and queries can rely on it.
 */
public enum RejectReason {
    /** The Kafka value is not a record of the expected Avro type. */
    NOT_AVRO,
    /** The pair carries no image bytes (and its {@code image_url}, if any, was not fetched). */
    IMAGE_MISSING,
    /** The image bytes cannot be decoded (unknown format, corrupt, truncated). */
    IMAGE_UNDECODABLE,
    /** The image is smaller than the configured minimum side. */
    IMAGE_TOO_SMALL,
    /** The image header claims more pixels or bytes than allowed (e.g. a decompression bomb). */
    IMAGE_TOO_LARGE,
    /** The image's aspect ratio is beyond the configured bound. */
    IMAGE_ASPECT,
    /**
     * The image's container ends early: a PNG without its {@code IEND} chunk or a JPEG without its
     * end-of-image marker (a download cut short).
     */
    IMAGE_TRUNCATED,
    /** The image is a near copy (perceptual hash) of an image of a configured evaluation set. */
    EVAL_CONTAMINATION,
    /** The caption is empty after normalisation. */
    CAPTION_EMPTY,
    /** The caption is shorter than the configured minimum. */
    CAPTION_TOO_SHORT,
    /** The caption is longer than the configured maximum. */
    CAPTION_TOO_LONG,
    /**
     * The caption's bytes were not valid UTF-8 (checked on the bytes: a real U+FFFD in a caption is
     * no reason).
     */
    CAPTION_INVALID_UTF8,
    /**
     * The caption is web boilerplate, not a description: a file name, a URL, "click here", a run of
     * one repeated character, ...
     */
    CAPTION_BOILERPLATE,
    /**
     * The caption contains a term of the configured blocklist or of the blocklist topic (a whole
     * word, case-folded).
     */
    CAPTION_BLOCKLISTED,
    /**
     * The image is on a blocklist (a file or the blocklist topic): its SHA-256, or its perceptual
     * hash within the configured Hamming distance of a listed one (an opt-out request).
     */
    BLOCKLISTED_IMAGE,
    /** The caption is confidently in another language than the one the source declares. */
    LANGUAGE_MISMATCH,
    /** The caption's language already has as many accepted pairs as its configured cap. */
    LANGUAGE_CAP,
    /** The same image with the same normalised caption was already accepted. */
    DUPLICATE,
    /**
     * A near copy of an accepted image (perceptual hash within the configured Hamming distance)
     * with the same normalised caption was already accepted.
     */
    NEAR_DUPLICATE,
    /**
     * The image's near-duplicate cluster already holds as many pairs as the configured cap (one
     * logo on a million pages).
     */
    IMAGE_CLUSTER_CAP,
    /** The image's format is outside the allowlist (PNG, JPEG, GIF, BMP), e.g. TIFF or WBMP. */
    IMAGE_FORMAT_NOT_ALLOWED,
    /**
     * A field of the record exceeds its bound (an id, URL, source or attribute too long, too many
     * attributes); the detail names the field and its bound.
     */
    FIELD_TOO_LARGE,
    /**
     * What the stage would emit does not fit the output topic's record limit; the reject keeps the
     * original's topic, partition and offset instead of its payload.
     */
    RECORD_TOO_LARGE,
    /** A file sink could not write the record (e.g. its image cannot be encoded for the shard). */
    SINK_UNWRITABLE,
    /** A stage failed on the record in a way it did not expect; the detail carries the error. */
    INTERNAL_ERROR,
    /**
     * The current model scores the image and caption as a poor match: below its language's
     * threshold and outside its language's top fraction (cross-modal score filter).
     */
    LOW_CROSSMODAL_SCORE,
    /** The {@code image_url} is not an absolute http(s) URL (or a redirect led to none). */
    FETCH_URL,
    /**
     * Fetching the image took longer than allowed: no connection, no data for the read timeout, or
     * no whole image within the total timeout (after the retries).
     */
    FETCH_TIMEOUT,
    /** The image's server answered 4xx (a 429 after the retries). */
    FETCH_HTTP_4XX,
    /** The image's server answered 5xx, after the retries. */
    FETCH_HTTP_5XX,
    /** The image's body was larger than the fetch byte limit (cut off while streaming). */
    FETCH_TOO_LARGE,
    /** The image's server declared a media type outside the allowlist, or none. */
    FETCH_CONTENT_TYPE,
    /** The image's host name did not resolve. */
    FETCH_DNS,
    /**
     * The image's host resolved to an address that is not public (private, loopback, link-local,
     * ...) and not allowed by the configuration.
     */
    FETCH_ADDRESS,
    /** More redirects than allowed (a loop), or a redirect without a target. */
    FETCH_REDIRECTS,
    /**
     * A redirect to another host, refused because the configuration says so ({@code
     * --fetch-cross-host refuse}): that host's limits hold exactly only in its own task.
     */
    FETCH_CROSS_HOST,
    /** The connection failed (refused, reset, closed early) or the answer made no sense. */
    FETCH_IO,
    /**
     * The image's server opts it out of AI training ({@code X-Robots-Tag: noai} or {@code
     * noimageai}, as img2dataset honours).
     */
    OPTED_OUT;

    /** The lower-case code written into rejects, e.g. {@code image_undecodable}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
