package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * Opt-out lists the filter job applies after curation: two files read when the job is built and the
 * pipeline's compacted {@code blocklist} topic, followed while the job runs. The file formats and
 * the caption matching rule: {@code BlocklistFiles}, {@code CaptionTerms}.
 *
 * @param captionTermsFile a caption-terms file, one term a line; "" for none (the default)
 * @param imageHashesFile an image-hash file of {@code sha256:} and {@code phash:} lines; "" for
 *     none (the default)
 * @param maxPhashDistance a pair's perceptual hash within this many bits of a listed one is
 *     refused, in [0, 32] (default {@value #DEFAULT_MAX_PHASH_DISTANCE}: no thumbnail confirms a
 *     listed hash, so it is tighter than the near-duplicate filter's 12;
 *     docs/decisions/blocklist.md)
 * @param followTopic whether the job reads the blocklist topic (default true)
 * @param maxEntries most entries of each list, the files' together and the topic's, in [1, {@value
 *     #MAX_ENTRIES_LIMIT}] (default {@value #DEFAULT_MAX_ENTRIES}); each entry costs the filter's
 *     memory (its origin, and about 50 bytes of pHash index), in every parallel task
 */
public record BlocklistConfig(
        String captionTermsFile,
        String imageHashesFile,
        int maxPhashDistance,
        boolean followTopic,
        int maxEntries)
        implements Serializable {

    /** The default {@link #maxPhashDistance}. */
    public static final int DEFAULT_MAX_PHASH_DISTANCE = 6;

    /** The default {@link #maxEntries}. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    /** The largest {@link #maxEntries} accepted. */
    public static final int MAX_ENTRIES_LIMIT = 2_000_000;

    public BlocklistConfig {
        Objects.requireNonNull(captionTermsFile, "captionTermsFile");
        Objects.requireNonNull(imageHashesFile, "imageHashesFile");
        if (maxPhashDistance < 0 || maxPhashDistance > 32) {
            throw new IllegalArgumentException(
                    "maxPhashDistance must be in [0, 32], got " + maxPhashDistance);
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
            throw new IllegalArgumentException(
                    "maxEntries must be in [1, " + MAX_ENTRIES_LIMIT + "], got " + maxEntries);
        }
    }

    /** The documented defaults. */
    public static BlocklistConfig defaults() {
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

    /** Whether the job has a blocklist stage: a file is given or the topic is followed. */
    public boolean enabled() {
        return followTopic || !captionTermsFile.isEmpty() || !imageHashesFile.isEmpty();
    }

    /**
     * Builds a {@link BlocklistConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private String captionTermsFile = "";
        private String imageHashesFile = "";
        private int maxPhashDistance = DEFAULT_MAX_PHASH_DISTANCE;
        private boolean followTopic = true;
        private int maxEntries = DEFAULT_MAX_ENTRIES;

        private Builder() {}

        private Builder(BlocklistConfig c) {
            captionTermsFile = c.captionTermsFile;
            imageHashesFile = c.imageHashesFile;
            maxPhashDistance = c.maxPhashDistance;
            followTopic = c.followTopic;
            maxEntries = c.maxEntries;
        }

        public Builder captionTermsFile(String value) {
            captionTermsFile = value;
            return this;
        }

        public Builder imageHashesFile(String value) {
            imageHashesFile = value;
            return this;
        }

        public Builder maxPhashDistance(int value) {
            maxPhashDistance = value;
            return this;
        }

        public Builder followTopic(boolean value) {
            followTopic = value;
            return this;
        }

        public Builder maxEntries(int value) {
            maxEntries = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public BlocklistConfig build() {
            return new BlocklistConfig(
                    captionTermsFile, imageHashesFile, maxPhashDistance, followTopic, maxEntries);
        }
    }
}
