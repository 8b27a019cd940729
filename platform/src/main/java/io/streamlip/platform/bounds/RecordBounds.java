package io.streamlip.platform.bounds;

import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.util.Map;

/**
 * Bounds on each field of a {@link RawPair} (UTF-16 chars) and on a topic's record; {@link #bound}
 * applies them. See docs/decisions/record-bounds.md.
 *
 * @param maxRecordBytes {@code max.message.bytes} ({@link PipelineTopics#MAX_MESSAGE_BYTES}
 *     default)
 * @param maxIdChars {@code id}, also the Kafka key (default 512; refused beyond)
 * @param maxSourceChars {@code source} (default 256; refused beyond)
 * @param maxImageUrlChars {@code image_url} (default 8,192; refused beyond)
 * @param maxAltTextChars {@code alt_text} (default 16,384; refused beyond as caption_too_long)
 * @param maxPageTitleChars {@code page_title} (default 1,024; cut beyond)
 * @param maxPageContextChars {@code page_context} (default 16,384; cut beyond)
 * @param maxAttributes entries of {@code attributes} (default 64; refused beyond)
 * @param maxAttributeKeyChars an attribute's key (default 128; refused beyond)
 * @param maxAttributeValueChars an attribute's value (default 4,096; refused beyond)
 */
public record RecordBounds(
        int maxRecordBytes,
        int maxIdChars,
        int maxSourceChars,
        int maxImageUrlChars,
        int maxAltTextChars,
        int maxPageTitleChars,
        int maxPageContextChars,
        int maxAttributes,
        int maxAttributeKeyChars,
        int maxAttributeValueChars)
        implements Serializable {

    /** BCP 47 for "undetermined". */
    public static final String UNDETERMINED = "und";

    /** Longest language tag kept (BCP 47 asks implementations to handle at least 35). */
    public static final int MAX_LANGUAGE_TAG_CHARS = 35;

    /**
     * Longest model version a record may carry ({@code <run>/step-NNNNNNNN}; the run name is the
     * trainer's).
     */
    public static final int MAX_MODEL_VERSION_CHARS = 256;

    public RecordBounds {
        positive("maxRecordBytes", maxRecordBytes);
        positive("maxIdChars", maxIdChars);
        positive("maxSourceChars", maxSourceChars);
        positive("maxImageUrlChars", maxImageUrlChars);
        positive("maxAltTextChars", maxAltTextChars);
        positive("maxPageTitleChars", maxPageTitleChars);
        positive("maxPageContextChars", maxPageContextChars);
        positive("maxAttributes", maxAttributes);
        positive("maxAttributeKeyChars", maxAttributeKeyChars);
        positive("maxAttributeValueChars", maxAttributeValueChars);
    }

    /** The documented defaults. */
    public static RecordBounds defaults() {
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
     * Builds {@link RecordBounds}; each bound starts at its default and is named as its component.
     */
    public static final class Builder {
        private int maxRecordBytes = PipelineTopics.MAX_MESSAGE_BYTES;
        private int maxIdChars = 512;
        private int maxSourceChars = 256;
        private int maxImageUrlChars = 8192;
        private int maxAltTextChars = 16_384;
        private int maxPageTitleChars = 1024;
        private int maxPageContextChars = 16_384;
        private int maxAttributes = 64;
        private int maxAttributeKeyChars = 128;
        private int maxAttributeValueChars = 4096;

        private Builder() {}

        private Builder(RecordBounds b) {
            maxRecordBytes = b.maxRecordBytes;
            maxIdChars = b.maxIdChars;
            maxSourceChars = b.maxSourceChars;
            maxImageUrlChars = b.maxImageUrlChars;
            maxAltTextChars = b.maxAltTextChars;
            maxPageTitleChars = b.maxPageTitleChars;
            maxPageContextChars = b.maxPageContextChars;
            maxAttributes = b.maxAttributes;
            maxAttributeKeyChars = b.maxAttributeKeyChars;
            maxAttributeValueChars = b.maxAttributeValueChars;
        }

        public Builder maxRecordBytes(int value) {
            maxRecordBytes = value;
            return this;
        }

        public Builder maxIdChars(int value) {
            maxIdChars = value;
            return this;
        }

        public Builder maxSourceChars(int value) {
            maxSourceChars = value;
            return this;
        }

        public Builder maxImageUrlChars(int value) {
            maxImageUrlChars = value;
            return this;
        }

        public Builder maxAltTextChars(int value) {
            maxAltTextChars = value;
            return this;
        }

        public Builder maxPageTitleChars(int value) {
            maxPageTitleChars = value;
            return this;
        }

        public Builder maxPageContextChars(int value) {
            maxPageContextChars = value;
            return this;
        }

        public Builder maxAttributes(int value) {
            maxAttributes = value;
            return this;
        }

        public Builder maxAttributeKeyChars(int value) {
            maxAttributeKeyChars = value;
            return this;
        }

        public Builder maxAttributeValueChars(int value) {
            maxAttributeValueChars = value;
            return this;
        }

        /** The bounds; the record's constructor checks them. */
        public RecordBounds build() {
            return new RecordBounds(
                    maxRecordBytes,
                    maxIdChars,
                    maxSourceChars,
                    maxImageUrlChars,
                    maxAltTextChars,
                    maxPageTitleChars,
                    maxPageContextChars,
                    maxAttributes,
                    maxAttributeKeyChars,
                    maxAttributeValueChars);
        }
    }

    /**
     * Most UTF-8 bytes the bounded text fields of a pair can take together (everything but the
     * image), for sizing: what a pair adds to its image at most.
     */
    public long textBudgetBytes() {
        long chars =
                (long) maxIdChars
                        + maxSourceChars
                        + maxImageUrlChars
                        + maxAltTextChars
                        + maxPageTitleChars
                        + maxPageContextChars
                        + MAX_LANGUAGE_TAG_CHARS
                        + (long) maxAttributes * (maxAttributeKeyChars + maxAttributeValueChars);
        return 3 * chars;
    }

    /**
     * {@code raw} within these bounds: the same object when every field already is, a shallow copy
     * with page title, page context and language hint repaired when only those were out, or a
     * refusal naming the first field beyond its bound.
     */
    public Verdict<RawPair> bound(RawPair raw) {
        Verdict<RawPair> refused =
                firstRefusal(
                        refuseLonger("id", raw.getId(), maxIdChars),
                        refuseLonger("source", raw.getSource(), maxSourceChars),
                        refuseLonger("image_url", raw.getImageUrl(), maxImageUrlChars));
        if (refused != null) {
            return refused;
        }
        String altText = raw.getAltText();
        if (altText != null && altText.length() > maxAltTextChars) {
            return Verdict.refuse(
                    RejectReason.CAPTION_TOO_LONG,
                    "alt_text has " + altText.length() + " chars, more than " + maxAltTextChars);
        }
        Map<String, String> attributes = raw.getAttributes();
        if (attributes != null) {
            if (attributes.size() > maxAttributes) {
                return Verdict.refuse(
                        RejectReason.FIELD_TOO_LARGE,
                        "attributes has "
                                + attributes.size()
                                + " entries, more than "
                                + maxAttributes);
            }
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                refused =
                        firstRefusal(
                                refuseLonger("attributes key", e.getKey(), maxAttributeKeyChars),
                                refuseLonger(
                                        "attributes value of '"
                                                + BoundedText.truncate(e.getKey(), 40)
                                                + "'",
                                        e.getValue(),
                                        maxAttributeValueChars));
                if (refused != null) {
                    return refused;
                }
            }
        }
        String title = BoundedText.truncate(raw.getPageTitle(), maxPageTitleChars);
        String context = BoundedText.truncate(raw.getPageContext(), maxPageContextChars);
        String hint = languageTag(raw.getLangHint());
        if (title == raw.getPageTitle()
                && context == raw.getPageContext()
                && hint == raw.getLangHint()) {
            return Verdict.accept(raw);
        }
        // The all-fields constructor shares the image bytes; a builder copy would copy them.
        return Verdict.accept(
                new RawPair(
                        raw.getId(),
                        raw.getImage(),
                        raw.getImageUrl(),
                        raw.getAltText(),
                        title,
                        context,
                        raw.getSource(),
                        raw.getCrawlTime(),
                        hint,
                        raw.getAttributes()));
    }

    /**
     * {@code hint} when it is a language tag (at most {@value #MAX_LANGUAGE_TAG_CHARS} chars,
     * subtags of 1 to 8 ASCII letters or digits joined by hyphens, the first of letters; an
     * underscore is read as a hyphen, so {@code pt_PT} is {@code pt-PT}), {@code und} when it is
     * not, null for null.
     */
    public static String languageTag(String hint) {
        if (hint == null) {
            return null;
        }
        if (hint.isEmpty() || hint.length() > MAX_LANGUAGE_TAG_CHARS) {
            return UNDETERMINED;
        }
        String tag = hint.indexOf('_') >= 0 ? hint.replace('_', '-') : hint;
        int subtag = 0;
        boolean first = true;
        for (int i = 0; i <= tag.length(); i++) {
            char c = i < tag.length() ? tag.charAt(i) : '-';
            if (c == '-') {
                if (subtag == 0 || subtag > 8) {
                    return UNDETERMINED;
                }
                subtag = 0;
                first = false;
            } else if (isAsciiLetter(c) || (!first && c >= '0' && c <= '9')) {
                subtag++;
            } else {
                return UNDETERMINED;
            }
        }
        return tag;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static Verdict<RawPair> refuseLonger(String field, String value, int max) {
        if (value == null || value.length() <= max) {
            return null;
        }
        return Verdict.refuse(
                RejectReason.FIELD_TOO_LARGE,
                field + " has " + value.length() + " chars, more than " + max);
    }

    @SafeVarargs
    private static Verdict<RawPair> firstRefusal(Verdict<RawPair>... verdicts) {
        for (Verdict<RawPair> v : verdicts) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
