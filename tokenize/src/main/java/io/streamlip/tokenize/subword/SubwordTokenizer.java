package io.streamlip.tokenize.subword;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.tokenize.CaptionTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A subword tokenizer read from a {@code tokenizer.json} that {@link BpeTrainer} wrote: ids {@link
 * BpeModel#PAD_ID} padding and {@link BpeModel#EOS_ID} end of sequence, like the byte tokenizer;
 * encodings longer than {@code maxTokens} keep their first {@code maxTokens - 1} tokens and the
 * end-of-sequence id.
 *
 * <p>It carries the file's bytes, not its path, so it serializes with a Flink operator and a task
 * manager needs no copy of the file; the encoder itself (the Hugging Face library through DJL, or
 * the Java {@link BpeModel}, which give the same ids) is built on first use or by {@link #open()},
 * which the tokenize job calls when its operator opens. {@link #version()} is {@code
 * bpe<vocab>-<first 12 hex digits of the file's SHA-256>}: two files with the same version encode
 * alike.
 */
public final class SubwordTokenizer implements CaptionTokenizer, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** Which implementation encodes. Both give the same ids (tested); they differ in speed. */
    public enum Engine {
        /** The Hugging Face {@code tokenizers} library through DJL's JNI binding. */
        DJL,
        /** {@link BpeModel}'s plain-Java encoder. */
        JAVA
    }

    /** The engine {@link #load(Path, int)} uses: see {@code bench tokenizer} for the figures. */
    public static final Engine DEFAULT_ENGINE = Engine.JAVA;

    private final byte[] json;
    private final int maxTokens;
    private final Engine engine;
    private final int vocabSize;
    private final String version;

    private transient volatile Encoder encoder;
    private transient volatile BpeModel decoder;

    private SubwordTokenizer(byte[] json, int maxTokens, Engine engine) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("maxTokens must be at least 2, got " + maxTokens);
        }
        this.json = json.clone();
        this.maxTokens = maxTokens;
        this.engine = engine;
        this.vocabSize = checkedVocabSize(json);
        this.version = "bpe" + vocabSize + "-" + sha256(json).substring(0, 12);
    }

    /** A tokenizer of {@code tokenizer.json} bytes. */
    public static SubwordTokenizer of(byte[] tokenizerJson, int maxTokens, Engine engine) {
        return new SubwordTokenizer(tokenizerJson, maxTokens, engine);
    }

    /** Reads {@code file} with the {@link #DEFAULT_ENGINE}. */
    public static SubwordTokenizer load(Path file, int maxTokens) {
        return load(file, maxTokens, DEFAULT_ENGINE);
    }

    public static SubwordTokenizer load(Path file, int maxTokens, Engine engine) {
        try {
            return new SubwordTokenizer(Files.readAllBytes(file), maxTokens, engine);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds the encoder now rather than at the first caption (operator open). */
    public void open() {
        encoder();
    }

    @Override
    public int[] encode(String text) {
        int[] ids = encoder().encode(text);
        if (ids.length <= maxTokens) {
            return ids;
        }
        int[] cut = java.util.Arrays.copyOf(ids, maxTokens);
        cut[maxTokens - 1] = BpeModel.EOS_ID;
        return cut;
    }

    /** The byte-level pieces of the ids up to the end-of-sequence id, read as UTF-8. */
    @Override
    public String decode(int[] ids) {
        BpeModel d = decoder;
        if (d == null) {
            d = TokenizerJson.read(json);
            decoder = d;
        }
        return d.decode(CaptionTokenizer.untilEos(ids, BpeModel.EOS_ID));
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int padId() {
        return BpeModel.PAD_ID;
    }

    @Override
    public int eosId() {
        return BpeModel.EOS_ID;
    }

    @Override
    public String version() {
        return version;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public Engine engine() {
        return engine;
    }

    /** The {@code tokenizer.json} bytes. */
    public byte[] json() {
        return json.clone();
    }

    /** Frees the native tokenizer, if one was built; a later encode builds it again. */
    @Override
    public synchronized void close() {
        Encoder e = encoder;
        encoder = null;
        if (e != null) {
            e.close();
        }
    }

    private Encoder encoder() {
        Encoder e = encoder;
        if (e == null) {
            synchronized (this) {
                e = encoder;
                if (e == null) {
                    e = engine == Engine.DJL ? new DjlEncoder(json) : new JavaEncoder(json);
                    encoder = e;
                }
            }
        }
        return e;
    }

    /** Ids of a caption including the end-of-sequence id. */
    private interface Encoder extends AutoCloseable {
        int[] encode(String text);

        @Override
        void close();
    }

    private static final class JavaEncoder implements Encoder {
        private final BpeModel model;

        JavaEncoder(byte[] json) {
            model = TokenizerJson.read(json);
        }

        @Override
        public int[] encode(String text) {
            return model.encode(text);
        }

        @Override
        public void close() {}
    }

    private static final class DjlEncoder implements Encoder {
        private final HuggingFaceTokenizer tokenizer;

        DjlEncoder(byte[] json) {
            try {
                // Nothing from the DJL defaults: no truncation or padding, the file's processor.
                tokenizer =
                        HuggingFaceTokenizer.newInstance(
                                new ByteArrayInputStream(json),
                                Map.of("truncation", "false", "padding", "false"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load tokenizer.json into DJL", e);
            }
        }

        @Override
        public int[] encode(String text) {
            Encoding encoding = tokenizer.encode(text, true, false);
            long[] ids = encoding.getIds();
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = (int) ids[i];
            }
            return out;
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }

    private static int checkedVocabSize(byte[] json) {
        JsonNode vocab;
        try {
            vocab = new ObjectMapper().readTree(json).path("model").path("vocab");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a tokenizer.json: " + e.getMessage(), e);
        }
        if (vocab.path(BpeModel.PAD).asInt(-1) != BpeModel.PAD_ID
                || vocab.path(BpeModel.EOS).asInt(-1) != BpeModel.EOS_ID) {
            throw new IllegalArgumentException(
                    "not a streamlip tokenizer: the vocabulary must hold "
                            + BpeModel.PAD
                            + " at id 0 and "
                            + BpeModel.EOS
                            + " at id 1 (train one with `streamlip tokenizer train`)");
        }
        return vocab.size();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
