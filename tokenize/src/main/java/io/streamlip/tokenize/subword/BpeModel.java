package io.streamlip.tokenize.subword;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-level BPE vocabulary and its merges, with the Java encoder: NFC, split into pre-tokens
 * ({@link ByteLevel}), each pre-token's bytes as alphabet symbols, then the merges applied
 * lowest-rank first (leftmost on a tie), exactly as the Hugging Face {@code BPE} model does, and
 * the end-of-sequence id appended. {@link TokenizerJson} writes and reads it as {@code
 * tokenizer.json}.
 *
 * <p>Ids: {@value #PAD_ID} padding, {@value #EOS_ID} end of sequence, {@code 2 + b} for byte {@code
 * b} (the byte tokenizer's ids), merged tokens from 258 on. Thread-safe.
 */
public final class BpeModel {
    /** Padding id; never produced by {@link #encode}. */
    public static final int PAD_ID = 0;

    /** End-of-sequence id, appended to every encoding. */
    public static final int EOS_ID = 1;

    /**
     * Names of the special tokens. They hold characters outside the byte-level alphabet, so no
     * merge can ever build them from text (an ASCII {@code <pad>} could be).
     */
    public static final String PAD = "\u27e8pad\u27e9";

    public static final String EOS = "\u27e8eos\u27e9";

    /** Ids of the 256 byte symbols start here. */
    public static final int BYTE_OFFSET = 2;

    private static final int CACHE_LIMIT = 200_000;

    private final List<String> vocab;
    private final List<String[]> merges;
    private final Map<String, Integer> ids;

    /** (left id, right id) to (rank, merged id), packed into longs. */
    private final Map<Long, Long> mergeTable;

    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab token strings by id: the two special tokens, the 256 byte symbols, then merged
     *     tokens
     * @param merges the merges in rank order, each a pair of vocabulary strings whose concatenation
     *     is in the vocabulary
     */
    public BpeModel(List<String> vocab, List<String[]> merges) {
        this.vocab = List.copyOf(vocab);
        this.merges = Collections.unmodifiableList(new ArrayList<>(merges));
        if (vocab.size() < BYTE_OFFSET + 256
                || !PAD.equals(vocab.get(PAD_ID))
                || !EOS.equals(vocab.get(EOS_ID))) {
            throw new IllegalArgumentException(
                    "vocabulary must start with " + PAD + ", " + EOS + " and the 256 byte symbols");
        }
        ids = new HashMap<>(vocab.size() * 2);
        for (int i = 0; i < vocab.size(); i++) {
            if (ids.put(vocab.get(i), i) != null) {
                throw new IllegalArgumentException("token '" + vocab.get(i) + "' appears twice");
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!Objects.equals(ids.get(String.valueOf(ByteLevel.charOf(b))), BYTE_OFFSET + b)) {
                throw new IllegalArgumentException("byte " + b + " is not at id " + (2 + b));
            }
        }
        mergeTable = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer left = ids.get(m[0]);
            Integer right = ids.get(m[1]);
            Integer merged = ids.get(m[0] + m[1]);
            if (left == null || right == null || merged == null) {
                throw new IllegalArgumentException(
                        "merge " + rank + " '" + m[0] + " " + m[1] + "' uses unknown tokens");
            }
            // The Hugging Face loader keeps the last rank of a repeated pair; so do we.
            mergeTable.put(key(left, right), ((long) rank << 32) | merged);
        }
    }

    /** Token strings by id. */
    public List<String> vocab() {
        return vocab;
    }

    /** Merges in rank order. */
    public List<String[]> merges() {
        return merges;
    }

    public int vocabSize() {
        return vocab.size();
    }

    /** Ids of {@code text} (normalised here), ending with {@link #EOS_ID}. */
    public int[] encode(String text) {
        String normalized = ByteLevel.normalize(text);
        IntList out = new IntList(normalized.length() + 1);
        for (String pretoken : ByteLevel.split(normalized)) {
            int[] word = cache.get(pretoken);
            if (word == null) {
                word = encodeWord(ByteLevel.toByteChars(pretoken));
                if (cache.size() < CACHE_LIMIT) {
                    cache.put(pretoken, word);
                }
            }
            out.addAll(word);
        }
        out.add(EOS_ID);
        return out.toArray();
    }

    /**
     * The text of {@code ids} (special tokens skipped); the inverse of {@link #encode} up to NFC.
     */
    public String decode(int[] ids) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (id < BYTE_OFFSET || id >= vocab.size()) {
                continue;
            }
            for (char c : vocab.get(id).toCharArray()) {
                bytes.write(ByteLevel.byteOf(c));
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Applies the merges to one pre-token in byte-level form. */
    int[] encodeWord(String byteChars) {
        int n = byteChars.length();
        int[] symbols = new int[n];
        for (int i = 0; i < n; i++) {
            symbols[i] = BYTE_OFFSET + ByteLevel.byteOf(byteChars.charAt(i));
        }
        // A merge's result only ever takes part in merges of higher rank, so repeatedly merging
        // the lowest-rank pair (leftmost on a tie) is what the library's priority queue does.
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                Long m = mergeTable.get(key(symbols[i], symbols[i + 1]));
                if (m != null && m < best) {
                    best = m;
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            symbols[at] = (int) (best & 0xffffffffL);
            System.arraycopy(symbols, at + 2, symbols, at + 1, n - at - 2);
            n--;
        }
        return java.util.Arrays.copyOf(symbols, n);
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    /** A growable int array. */
    static final class IntList {
        private int[] data;
        private int size;

        IntList(int capacity) {
            data = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] values) {
            if (size + values.length > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(size * 2, size + values.length));
            }
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
