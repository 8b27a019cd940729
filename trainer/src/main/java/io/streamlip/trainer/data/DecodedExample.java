package io.streamlip.trainer.data;

/**
 * An example in training layout.
 *
 * @param id the example's id
 * @param lang its language (may be null)
 * @param rgb uint8 RGB pixels, row-major {@code H x W x 3}, at the model's image size
 * @param tokenIds token ids without padding, ending with the end-of-sequence id
 * @param renderedText the caption rendered as uint8 gray pixels, row-major {@code H x W} (CLIPPO),
 *     or null when the example carries none
 */
public record DecodedExample(
        String id, String lang, byte[] rgb, int[] tokenIds, byte[] renderedText) {

    /** An example without a rendered caption. */
    public DecodedExample(String id, String lang, byte[] rgb, int[] tokenIds) {
        this(id, lang, rgb, tokenIds, null);
    }
}
