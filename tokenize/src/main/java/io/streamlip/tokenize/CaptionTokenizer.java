package io.streamlip.tokenize;

import java.io.Serializable;

/**
 * Turns a normalised caption into token ids. Implementations are deterministic and thread-safe;
 * {@link #version()} identifies the vocabulary so an {@code Example} says which tokenizer made it.
 */
public interface CaptionTokenizer extends Serializable {

    /** Token ids of {@code text}, without padding, ending with {@link #eosId()}. */
    int[] encode(String text);

    /** Size of the id space: every id is in {@code [0, vocabSize())}. */
    int vocabSize();

    /** The padding id (never produced by {@link #encode}). */
    int padId();

    /** The end-of-sequence id, appended to every encoding. */
    int eosId();

    /** A stable identifier of the vocabulary, e.g. {@code bytes-v1}. */
    String version();

    /**
     * The text of {@code ids} up to the first end-of-sequence id, padding and other special ids
     * skipped: the inverse of {@link #encode} up to its normalisation (what a captioner writes
     * back). Ids outside the vocabulary are skipped.
     *
     * @throws UnsupportedOperationException for a tokenizer that cannot detokenize
     */
    default String decode(int[] ids) {
        throw new UnsupportedOperationException(version() + " cannot decode token ids");
    }

    /** {@code ids} up to (without) the first {@code eos}. */
    static int[] untilEos(int[] ids, int eos) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eos) {
                return java.util.Arrays.copyOf(ids, i);
            }
        }
        return ids;
    }
}
