package io.streamlip.trainer.model;

/**
 * Which of the seed papers' architectures a {@link ModelConfig} builds. Every family trains on the
 * same {@code examples} stream and writes the same checkpoints; a checkpoint written before the
 * field existed reads as {@link #TWO_TOWER}.
 */
public enum ModelFamily {
    /** SigLIP / LiT: an image tower and a text tower joined by the pairwise loss. */
    TWO_TOWER,
    /** CLIPPO: one vision transformer for images and captions rendered as images. */
    CLIPPO,
    /** LIMoE: one sparse mixture-of-experts transformer for image patches and text tokens. */
    LIMOE,
    /** PaLI-style: the image tower feeds a transformer decoder that writes the caption. */
    CAPTIONER
}
