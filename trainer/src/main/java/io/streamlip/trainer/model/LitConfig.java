package io.streamlip.trainer.model;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import java.nio.file.Path;

/**
 * Locked-image tuning (LiT, Zhai et al. 2022): the image tower is loaded from a checkpoint and
 * never trained (no gradients, no optimizer state, no weight decay), only the text tower, {@code
 * t'} and {@code b} learn. Built with {@link #builder()} or {@link #from}.
 *
 * @param imageCheckpoint a checkpoint folder (or a folder of checkpoints: its newest) whose image
 *     tower is loaded; its model must have this model's image-tower shape
 * @param cacheImageEmbeddings keep the locked tower's embeddings of images seen before, keyed by
 *     the image's content, instead of recomputing them (LiT's "precomputed embeddings"; default
 *     true)
 * @param cacheCapacity most embeddings kept (least recently used dropped first; default 100,000:
 *     about 50 MB at 128 dimensions)
 */
@JsonDeserialize(builder = LitConfig.Builder.class)
public record LitConfig(Path imageCheckpoint, boolean cacheImageEmbeddings, int cacheCapacity) {

    public LitConfig {
        if (imageCheckpoint == null) {
            throw new IllegalArgumentException(
                    "LiT needs the checkpoint to take the image tower from");
        }
        if (cacheCapacity < 1) {
            throw new IllegalArgumentException(
                    "cacheCapacity must be positive, got " + cacheCapacity);
        }
    }

    /** LiT from {@code imageCheckpoint} with the documented defaults. */
    public static LitConfig from(Path imageCheckpoint) {
        return builder().imageCheckpoint(imageCheckpoint).build();
    }

    /** A builder holding the documented defaults and no checkpoint (which must be set). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .imageCheckpoint(imageCheckpoint)
                .cacheImageEmbeddings(cacheImageEmbeddings)
                .cacheCapacity(cacheCapacity);
    }

    /** Sets components one by one; {@link #build} validates them together. */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private Path imageCheckpoint;
        private boolean cacheImageEmbeddings = true;
        private int cacheCapacity = 100_000;

        private Builder() {}

        public Builder imageCheckpoint(Path v) {
            imageCheckpoint = v;
            return this;
        }

        public Builder cacheImageEmbeddings(boolean v) {
            cacheImageEmbeddings = v;
            return this;
        }

        public Builder cacheCapacity(int v) {
            cacheCapacity = v;
            return this;
        }

        public LitConfig build() {
            return new LitConfig(imageCheckpoint, cacheImageEmbeddings, cacheCapacity);
        }
    }
}
