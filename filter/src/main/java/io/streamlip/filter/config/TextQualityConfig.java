package io.streamlip.filter.config;

import io.streamlip.filter.blocklist.BlocklistEntry;
import java.io.Serializable;
import java.util.List;

/**
 * What the text-quality filter refuses beyond the length bounds of {@link FilterConfig}.
 *
 * @param boilerplate whether web boilerplate alt-text is refused (default true): file names
 *     ("IMG_0042.jpg"), URLs, "click here" and its kin, a run of one repeated character
 * @param blocklist terms refused where a caption contains them as whole words, case-folded (the
 *     rule of {@code CaptionTerms}; default empty: a deployment brings its own list, or a file:
 *     {@link BlocklistConfig#captionTermsFile})
 */
public record TextQualityConfig(boolean boilerplate, List<String> blocklist)
        implements Serializable {

    public TextQualityConfig {
        // Folded and cut into words as CaptionTerms matches them; a term without a letter or
        // digit could never match, and is an error.
        blocklist =
                blocklist.stream()
                        .filter(t -> !t.isBlank())
                        .map(t -> BlocklistEntry.term(t).value())
                        .distinct()
                        .toList();
    }

    /** The documented defaults. */
    public static TextQualityConfig defaults() {
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
     * Builds a {@link TextQualityConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private boolean boilerplate = true;
        private List<String> blocklist = List.of();

        private Builder() {}

        private Builder(TextQualityConfig c) {
            boilerplate = c.boilerplate;
            blocklist = c.blocklist;
        }

        public Builder boilerplate(boolean value) {
            boilerplate = value;
            return this;
        }

        public Builder blocklist(List<String> value) {
            blocklist = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public TextQualityConfig build() {
            return new TextQualityConfig(boilerplate, blocklist);
        }
    }
}
