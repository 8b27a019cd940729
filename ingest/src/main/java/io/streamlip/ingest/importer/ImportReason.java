package io.streamlip.ingest.importer;

import java.util.Locale;

/**
 * Why a file importer refused a unit of its input (a line, a row, a WebDataset sample or a whole
 * file): the reason codes under {@link ImportRejects#perReason()}.
 */
public enum ImportReason {
    /** A line or text member is not valid UTF-8. */
    NOT_UTF8,
    /** A JSONL line or a WebDataset {@code .json} member is not a JSON object. */
    NOT_JSON,
    /** No caption, or no URL (and no image bytes). */
    MISSING_FIELD,
    /** A line or a value is longer than its bound ({@link ImportBounds}). */
    FIELD_TOO_LARGE,
    /** The URL is not an absolute http(s) URL. */
    BAD_URL,
    /** A TSV line without a URL column and a caption column. */
    BAD_COLUMNS,
    /** A JSONL {@code image_base64} that is not base64. */
    BAD_BASE64,
    /** A Parquet file without a URL or a caption column (the whole file). */
    MISSING_COLUMN,
    /** A file that cannot be read or parsed from some point on (the rest of the file). */
    UNREADABLE,
    /** A WebDataset sample without a {@code .jpg|.jpeg|.png|.webp} member. */
    MISSING_IMAGE,
    /** A WebDataset sample without a {@code .txt} member or a caption in its {@code .json}. */
    MISSING_CAPTION,
    /**
     * A WebDataset sample whose members are not adjacent in its shard (another sample's members
     * between them): every part of it is refused with this reason.
     */
    NON_ADJACENT_MEMBERS,
    /** A WebDataset sample with two members of one kind (two images, two texts). */
    EXTRA_MEMBER,
    /** A WebDataset member larger than its bound. */
    MEMBER_TOO_LARGE,
    /** A WebDataset shard that ends inside a member (the pending sample and the rest). */
    TRUNCATED_TAR;

    /** The lower-case code, e.g. {@code bad_url}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
