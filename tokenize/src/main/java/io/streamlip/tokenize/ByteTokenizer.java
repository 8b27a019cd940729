package io.streamlip.tokenize;

import java.nio.charset.StandardCharsets;

/**
 * The first multilingual tokenizer: the caption's UTF-8 bytes, each a token. Every string in every
 * script encodes, with no vocabulary to train; CJK costs three tokens a character. Ids: 0 padding,
 * 1 end of sequence, {@code 2 + b} for byte {@code b}.
 */
public final class ByteTokenizer implements CaptionTokenizer {
    private static final long serialVersionUID = 1L;

    /** {@link #version()}: the byte tokenizer has one vocabulary. */
    public static final String VERSION = "bytes-v1";

    public static final int PAD = 0;
    public static final int EOS = 1;
    private static final int OFFSET = 2;

    private final int maxTokens;

    /**
     * @param maxTokens longest encoding including the end-of-sequence token; longer captions are
     *     cut at a character boundary
     */
    public ByteTokenizer(int maxTokens) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be at least 2, got " + maxTokens);
        }
        this.maxTokens = maxTokens;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, maxTokens - 1);
        // Do not end inside a multi-byte character: back up over continuation bytes (10xxxxxx).
        if (n < bytes.length) {
            while (n > 0 && (bytes[n] & 0xC0) == 0x80) {
                n--;
            }
        }
        int[] ids = new int[n + 1];
        for (int i = 0; i < n; i++) {
            ids[i] = (bytes[i] & 0xff) + OFFSET;
        }
        ids[n] = EOS;
        return ids;
    }

    /** The bytes of ids {@code 2 + b} up to the end-of-sequence id, read as UTF-8. */
    @Override
    public String decode(int[] ids) {
        int[] real = CaptionTokenizer.untilEos(ids, EOS);
        byte[] bytes = new byte[real.length];
        int n = 0;
        for (int id : real) {
            if (id >= OFFSET && id < OFFSET + 256) {
                bytes[n++] = (byte) (id - OFFSET);
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 256 + OFFSET;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public String version() {
        return VERSION;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Equal when they encode alike: the same length limit (configs holding one compare by it). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ByteTokenizer other && other.maxTokens == maxTokens;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(maxTokens);
    }

    @Override
    public String toString() {
        return "ByteTokenizer[" + VERSION + ", maxTokens=" + maxTokens + "]";
    }
}
