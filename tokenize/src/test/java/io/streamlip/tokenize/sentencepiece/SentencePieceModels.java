package io.streamlip.tokenize.sentencepiece;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes tiny SentencePiece {@code .model} files (unigram, identity normalizer) for tests, as
 * protocol buffers by hand: ids 0 {@code <pad>}, 1 {@code </s>}, 2 {@code <unk>}, then {@code ▁},
 * the letters a-z and the given whole words (as {@code ▁word}, preferred by their score).
 */
public final class SentencePieceModels {
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;

    private SentencePieceModels() {}

    /** A model with a padding id 0 and end of sequence 1, or without padding when {@code !pad}. */
    public static byte[] unigram(List<String> words, boolean pad) {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        int count = 0;
        if (pad) {
            piece(model, "<pad>", 0f, CONTROL);
            count++;
        }
        piece(model, "</s>", 0f, CONTROL);
        piece(model, "<unk>", 0f, UNKNOWN);
        piece(model, "\u2581", -3f, NORMAL);
        count += 3;
        for (char c = 'a'; c <= 'z'; c++) {
            piece(model, String.valueOf(c), -5f, NORMAL);
            count++;
        }
        for (String w : words) {
            piece(model, "\u2581" + w, -1f, NORMAL);
            count++;
        }
        int base = pad ? 1 : 0;
        ByteArrayOutputStream spec = new ByteArrayOutputStream();
        varintField(spec, 3, 1); // model_type UNIGRAM
        varintField(spec, 4, count); // vocab_size
        varintField(spec, 40, base + 1); // unk_id
        varintField(spec, 41, -1); // bos_id: none
        varintField(spec, 42, base); // eos_id
        varintField(spec, 43, pad ? 0 : -1); // pad_id
        bytesField(model, 2, spec.toByteArray());
        ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
        bytesField(normalizer, 1, "identity".getBytes(StandardCharsets.UTF_8));
        varintField(normalizer, 3, 1); // add_dummy_prefix
        varintField(normalizer, 4, 1); // remove_extra_whitespaces
        varintField(normalizer, 5, 1); // escape_whitespaces
        bytesField(model, 3, normalizer.toByteArray());
        return model.toByteArray();
    }

    private static void piece(ByteArrayOutputStream out, String text, float score, int type) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        bytesField(p, 1, text.getBytes(StandardCharsets.UTF_8));
        varint(p, (2 << 3) | 5);
        int bits = Float.floatToIntBits(score);
        for (int i = 0; i < 4; i++) {
            p.write((bits >>> (8 * i)) & 0xff);
        }
        varintField(p, 3, type);
        bytesField(out, 1, p.toByteArray());
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        varint(out, (long) field << 3);
        varint(out, value);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
        varint(out, ((long) field << 3) | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
