package io.streamlip.trainer.model;

import java.nio.file.Path;

/**
 * Locked-image tuning (LiT, Zhai et al. 2022): the image tower is loaded from a checkpoint and
 * never trained (no gradients, no optimizer state, no weight decay), only the text tower, {@code
 * t'} and {@code b} learn.
 *
 * @param imageCheckpoint a checkpoint folder (or a folder of checkpoints: its newest) whose image
 *     tower is loaded; its model must have this model's image-tower shape
 * @param cacheImageEmbeddings keep the locked tower's embeddings of images seen before, keyed by
 *     the image's content, instead of recomputing them (LiT's "precomputed embeddings"; default
 *     true)
 * @param cacheCapacity most embeddings kept (least recently used dropped first; default 100,000:
 *     about 50 MB at 128 dimensions)
 */
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
        return new LitConfig(imageCheckpoint, true, 100_000);
    }

    public LitConfig withCache(boolean cache) {
        return new LitConfig(imageCheckpoint, cache, cacheCapacity);
    }
}
