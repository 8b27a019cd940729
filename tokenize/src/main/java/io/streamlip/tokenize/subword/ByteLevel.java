package io.streamlip.tokenize.subword;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text side shared by the trainer, the Java encoder and the written {@code tokenizer.json}: NFC
 * normalisation, the split into pre-tokens, and GPT-2's byte-level alphabet (each of the 256 byte
 * values as one printable character), so that every string encodes without an unknown token.
 *
 * <p>The split pattern is written into {@code tokenizer.json} as a {@code Split} pre-tokenizer and
 * must mean the same in Java's regex engine and in the Hugging Face library's (Oniguruma). It
 * therefore uses only Unicode general categories and the ASCII space, no {@code \s} (whose meaning
 * differs between the two) and no look-ahead. Letters and combining marks stay together (GPT-2's
 * pattern would cut Devanagari and Arabic words at every vowel sign); a run of CJK letters is one
 * pre-token, inside which the merges find the words.
 */
public final class ByteLevel {
    /** One optional leading space, then letters-with-marks, digits, or other symbols; or spaces. */
    public static final String SPLIT_PATTERN =
            " ?[\\p{L}\\p{M}]+| ?\\p{N}+| ?[^\\p{L}\\p{M}\\p{N} ]+| +";

    private static final Pattern SPLIT = Pattern.compile(SPLIT_PATTERN);
    private static final char[] BYTE_TO_CHAR = byteToChar();
    private static final int[] CHAR_TO_BYTE = charToByte(BYTE_TO_CHAR);

    private ByteLevel() {}

    /** NFC, as the {@code tokenizer.json} normalizer does. */
    public static String normalize(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    /** The pre-tokens of already normalised {@code text}, in order; they concatenate to it. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                out.add(text.substring(last, m.start())); // never happens: the pattern covers all
            }
            out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            out.add(text.substring(last));
        }
        return out;
    }

    /** The byte-level form of a pre-token: one alphabet character per UTF-8 byte. */
    public static String toByteChars(String pretoken) {
        byte[] bytes = pretoken.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(chars);
    }

    /** The alphabet character of byte {@code b} (0-255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The byte an alphabet character stands for, or -1 for a character outside the alphabet. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** GPT-2's {@code bytes_to_unicode}: printable Latin-1 maps to itself, the rest to U+0100+. */
    private static char[] byteToChar() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    private static int[] charToByte(char[] byteToChar) {
        int[] map = new int[512];
        java.util.Arrays.fill(map, -1);
        for (int b = 0; b < 256; b++) {
            map[byteToChar[b]] = b;
        }
        return map;
    }
}
