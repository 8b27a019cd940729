package io.streamlip.tokenize.sentencepiece;

import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An existing SentencePiece vocabulary (a {@code .model} file, e.g. one of big_vision's), encoded
 * by DJL's SentencePiece binding (its native library is inside the jar: no download). The caption's
 * pieces are followed by the model's end-of-sequence id; encodings longer than {@code maxTokens}
 * keep their first {@code maxTokens - 1} ids and the end-of-sequence id.
 *
 * <p>Ids are the model's own. Its {@code trainer_spec} names the end-of-sequence id (a model
 * without one cannot be used) and the padding id; a model without a padding id gets one more id,
 * {@code pieces}, so {@link #vocabSize()} is then the piece count plus one. Like {@link
 * io.streamlip.tokenize.subword.SubwordTokenizer} it carries the file's bytes, so it serializes
 * with a Flink operator, and builds the native processor on first use. {@link #version()} is {@code
 * sp<pieces>-<first 12 hex digits of the file's SHA-256>}.
 *
 * <p>A SigLIP vocabulary is used with SigLIP's text canonicalization ({@link #of(byte[], int,
 * boolean)}, as transformers' {@code SiglipTokenizer} does): the caption is lowercased, ASCII
 * punctuation is deleted and whitespace runs become one space before it is encoded. Such a
 * tokenizer's version ends in {@value #SIGLIP_SUFFIX}.
 */
public final class SentencePieceTokenizer implements CaptionTokenizer, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** The prefix of this kind's versions. */
    public static final String VERSION_PREFIX = "sp";

    /** The end of a SigLIP-canonicalizing tokenizer's version. */
    public static final String SIGLIP_SUFFIX = "-siglip";

    private static final Pattern WHITESPACE =
            Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    /** Python's {@code string.punctuation}, which SigLIP's canonicalization deletes. */
    private static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final byte[] model;
    private final int maxTokens;
    private final int pieces;
    private final int eosId;
    private final int padId;
    private final String version;
    private final boolean siglip;

    private transient volatile SpTokenizer tokenizer;

    private SentencePieceTokenizer(byte[] model, int maxTokens, boolean siglip) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be at least 2, got " + maxTokens);
        }
        ModelProto.Summary summary = ModelProto.read(model);
        if (summary.eosId() < 0 || summary.eosId() >= summary.pieces()) {
            throw new IllegalArgumentException(
                    "the SentencePiece model has no end-of-sequence piece (eos_id "
                            + summary.eosId()
                            + "); the text tower pools at the end of sequence");
        }
        this.model = model.clone();
        this.maxTokens = maxTokens;
        this.pieces = summary.pieces();
        this.eosId = summary.eosId();
        this.padId = summary.padId() >= 0 ? summary.padId() : summary.pieces();
        this.siglip = siglip;
        this.version =
                VERSION_PREFIX
                        + pieces
                        + "-"
                        + sha256(model).substring(0, 12)
                        + (siglip ? SIGLIP_SUFFIX : "");
    }

    /** A tokenizer of {@code .model} bytes that encodes captions as they are. */
    public static SentencePieceTokenizer of(byte[] model, int maxTokens) {
        return new SentencePieceTokenizer(model, maxTokens, false);
    }

    /**
     * A tokenizer of {@code .model} bytes; with {@code siglip}, it canonicalizes each caption as
     * SigLIP does ({@link #canonical}) before encoding it.
     */
    public static SentencePieceTokenizer of(byte[] model, int maxTokens, boolean siglip) {
        return new SentencePieceTokenizer(model, maxTokens, siglip);
    }

    /** Reads a {@code .model} file, for captions encoded as they are. */
    public static SentencePieceTokenizer load(Path file, int maxTokens) {
        return load(file, maxTokens, false);
    }

    /** Reads a {@code .model} file; {@code siglip} as in {@link #of(byte[], int, boolean)}. */
    public static SentencePieceTokenizer load(Path file, int maxTokens, boolean siglip) {
        try {
            return new SentencePieceTokenizer(Files.readAllBytes(file), maxTokens, siglip);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SentencePiece model " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * SigLIP's text canonicalization (transformers' {@code SiglipTokenizer} with its default {@code
     * do_lower_case}): lowercase, delete ASCII punctuation, one space for each run of whitespace,
     * none at the ends.
     */
    public static String canonical(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (ASCII_PUNCTUATION.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        return WHITESPACE.matcher(kept).replaceAll(" ").strip();
    }

    /** Whether captions are canonicalized as SigLIP does before they are encoded. */
    public boolean siglip() {
        return siglip;
    }

    @Override
    public int[] encode(String text) {
        int[] ids = processor().encode(siglip ? canonical(text) : text);
        int n = Math.min(ids.length, maxTokens - 1);
        int[] out = Arrays.copyOf(ids, n + 1);
        out[n] = eosId;
        return out;
    }

    /** SentencePiece's own detokenization of the ids up to the end-of-sequence id. */
    @Override
    public String decode(int[] ids) {
        int[] real = CaptionTokenizer.untilEos(ids, eosId);
        int[] known = Arrays.stream(real).filter(id -> id >= 0 && id < pieces).toArray();
        return processor().decode(known);
    }

    @Override
    public int vocabSize() {
        return padId == pieces ? pieces + 1 : pieces;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public String version() {
        return version;
    }

    /** The {@code .model} bytes. */
    public byte[] model() {
        return model.clone();
    }

    /** Builds the native processor now rather than at the first caption (operator open). */
    public void open() {
        processor();
    }

    /** Frees the native processor, if one was built; a later encode builds it again. */
    @Override
    public synchronized void close() {
        SpTokenizer t = tokenizer;
        tokenizer = null;
        if (t != null) {
            t.close();
        }
    }

    private SpProcessor processor() {
        SpTokenizer t = tokenizer;
        if (t == null) {
            synchronized (this) {
                t = tokenizer;
                if (t == null) {
                    t = new SpTokenizer(model);
                    tokenizer = t;
                }
            }
        }
        return t.getProcessor();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
