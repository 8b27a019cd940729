package io.streamlip.schemas;

/**
 * Why a stage refused a record. The {@link #code()} is what goes into {@link Reject#getReason()}:
 * stable, so dashboards and queries can rely on it.
 */
public enum RejectReason {
    /** The Kafka value is not a record of the expected Avro type. */
    NOT_AVRO,
    /** The pair carries no image bytes. */
    IMAGE_MISSING,
    /** The image bytes cannot be decoded (unknown format, corrupt, truncated). */
    IMAGE_UNDECODABLE,
    /** The image is smaller than the configured minimum side. */
    IMAGE_TOO_SMALL,
    /** The image header claims more pixels or bytes than allowed (e.g. a decompression bomb). */
    IMAGE_TOO_LARGE,
    /** The image's aspect ratio is beyond the configured bound. */
    IMAGE_ASPECT,
    /** The caption is empty after normalisation. */
    CAPTION_EMPTY,
    /** The caption is shorter than the configured minimum. */
    CAPTION_TOO_SHORT,
    /** The caption is longer than the configured maximum. */
    CAPTION_TOO_LONG,
    /** The same image with the same normalised caption was already accepted. */
    DUPLICATE,
    /** A stage failed on the record in a way it did not expect; the detail carries the error. */
    INTERNAL_ERROR,
    /**
     * The current model scores the image and caption as a poor match: below its language's
     * threshold and outside its language's top fraction (cross-modal score filter).
     */
    LOW_CROSSMODAL_SCORE;

    /** The lower-case code written into rejects, e.g. {@code image_undecodable}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
