package io.streamlip.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.tokenize.sentencepiece.SentencePieceTokenizer;
import io.streamlip.tokenize.subword.SubwordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one way to name a tokenizer, everywhere a tokenizer is chosen (the tokenize job, {@code
 * streamlip train}, {@code eval}, {@code demo}): a <em>spec</em> that is {@value #BYTES} (the
 * {@link ByteTokenizer}), the path of a {@code tokenizer.json} written by {@code streamlip
 * tokenizer train} (a {@link SubwordTokenizer}), or the path of a SentencePiece {@code .model} (a
 * {@link SentencePieceTokenizer}, e.g. big_vision's vocabularies). A folder holding a {@value
 * #FILE} or a {@value #SENTENCEPIECE_FILE} (such as a checkpoint) names the file inside it, and so
 * does a Hugging Face SigLIP folder (its {@value #HF_SENTENCEPIECE_FILE}). A SentencePiece model
 * whose folder holds a {@value #HF_TOKENIZER_CONFIG} naming {@value #SIGLIP_TOKENIZER_CLASS}
 * canonicalizes captions as SigLIP does ({@link SentencePieceTokenizer#canonical}).
 *
 * <p>A checkpoint carries its tokenizer: {@link #save} copies the tokenizer's file into a folder,
 * {@link #fromFolder} builds the tokenizer back from that folder and the version its {@code
 * state.json} names, and refuses a file of another version.
 */
public final class Tokenizers {
    /** The spec of the byte tokenizer. */
    public static final String BYTES = "bytes";

    /** The file name of a subword tokenizer inside a folder (e.g. a checkpoint). */
    public static final String FILE = "tokenizer.json";

    /** The file name of a SentencePiece model inside a folder (e.g. a checkpoint). */
    public static final String SENTENCEPIECE_FILE = "tokenizer.model";

    /** The file name of the SentencePiece model in a Hugging Face SigLIP folder. */
    public static final String HF_SENTENCEPIECE_FILE = "spiece.model";

    /** Hugging Face's tokenizer settings, beside its model file. */
    public static final String HF_TOKENIZER_CONFIG = "tokenizer_config.json";

    /** The {@code tokenizer_class} of transformers' SigLIP tokenizer. */
    public static final String SIGLIP_TOKENIZER_CLASS = "SiglipTokenizer";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokenizers() {}

    /**
     * The tokenizer {@code spec} names, truncating encodings to {@code maxTokens} (including the
     * end-of-sequence id).
     *
     * @throws IllegalArgumentException when {@code spec} is neither {@value #BYTES} nor a readable
     *     streamlip {@code tokenizer.json} (or a folder holding one)
     */
    public static CaptionTokenizer load(String spec, int maxTokens) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "no tokenizer given: name one as '" + BYTES + "' or a tokenizer.json path");
        }
        if (spec.equals(BYTES) || spec.equals(ByteTokenizer.VERSION)) {
            return new ByteTokenizer(maxTokens);
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(FILE))) {
                path = path.resolve(FILE);
            } else if (Files.isRegularFile(path.resolve(SENTENCEPIECE_FILE))) {
                path = path.resolve(SENTENCEPIECE_FILE);
            } else if (Files.isRegularFile(path.resolve(HF_SENTENCEPIECE_FILE))) {
                path = path.resolve(HF_SENTENCEPIECE_FILE);
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(
                    "tokenizer '"
                            + spec
                            + "' is neither '"
                            + BYTES
                            + "' nor a tokenizer.json file (train one with `streamlip tokenizer"
                            + " train`) or a SentencePiece .model file");
        }
        if (path.getFileName().toString().endsWith(".model")) {
            return SentencePieceTokenizer.load(path, maxTokens, siglipBeside(path));
        }
        return SubwordTokenizer.load(path, maxTokens);
    }

    /** The spec that names {@code tokenizer}'s kind for logs: {@value #BYTES} or its version. */
    public static String describe(CaptionTokenizer tokenizer) {
        return tokenizer instanceof ByteTokenizer
                ? BYTES
                : tokenizer.version() + " (" + tokenizer.vocabSize() + " tokens)";
    }

    /**
     * Writes what {@link #fromFolder} needs to rebuild {@code tokenizer} into {@code folder}: the
     * {@value #FILE} of a subword tokenizer, the {@value #SENTENCEPIECE_FILE} of a SentencePiece
     * one; nothing for the byte tokenizer, which its version alone names.
     *
     * @throws IllegalArgumentException for a tokenizer this class cannot store
     */
    public static void save(CaptionTokenizer tokenizer, Path folder) throws IOException {
        if (tokenizer instanceof ByteTokenizer) {
            return;
        }
        if (tokenizer instanceof SubwordTokenizer subword) {
            Files.write(folder.resolve(FILE), subword.json());
            return;
        }
        if (tokenizer instanceof SentencePieceTokenizer sentencePiece) {
            Files.write(folder.resolve(SENTENCEPIECE_FILE), sentencePiece.model());
            if (sentencePiece.siglip()) {
                ObjectNode config = JSON.createObjectNode();
                config.put("tokenizer_class", SIGLIP_TOKENIZER_CLASS);
                config.put("do_lower_case", true);
                JSON.writeValue(folder.resolve(HF_TOKENIZER_CONFIG).toFile(), config);
            }
            return;
        }
        throw new IllegalArgumentException(
                "cannot store a tokenizer of type "
                        + tokenizer.getClass().getName()
                        + " ("
                        + tokenizer.version()
                        + ")");
    }

    /**
     * The tokenizer of version {@code version} stored in {@code folder} by {@link #save}: the byte
     * tokenizer for its version, else the folder's {@value #FILE}, which must be of that version.
     *
     * @throws IllegalArgumentException when the folder holds no such tokenizer
     */
    public static CaptionTokenizer fromFolder(Path folder, String version, int maxTokens) {
        if (ByteTokenizer.VERSION.equals(version)) {
            return new ByteTokenizer(maxTokens);
        }
        boolean sentencePiece =
                version != null && version.startsWith(SentencePieceTokenizer.VERSION_PREFIX);
        Path file = folder.resolve(sentencePiece ? SENTENCEPIECE_FILE : FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    folder
                            + " was made with tokenizer "
                            + version
                            + " but holds no "
                            + file.getFileName()
                            + " (checkpoints written before tokenizers were copied into them):"
                            + " give that tokenizer's file explicitly");
        }
        CaptionTokenizer tokenizer =
                sentencePiece
                        ? SentencePieceTokenizer.load(
                                file,
                                maxTokens,
                                version.endsWith(SentencePieceTokenizer.SIGLIP_SUFFIX))
                        : SubwordTokenizer.load(file, maxTokens);
        if (!tokenizer.version().equals(version)) {
            throw new IllegalArgumentException(
                    file
                            + " is tokenizer "
                            + tokenizer.version()
                            + ", but "
                            + folder
                            + " names "
                            + version);
        }
        return tokenizer;
    }

    /**
     * Whether {@code model}'s folder holds a {@value #HF_TOKENIZER_CONFIG} naming SigLIP's
     * tokenizer, whose captions are canonicalized before they are encoded.
     *
     * @throws IllegalArgumentException when that file is there but is no JSON object, or turns
     *     {@code do_lower_case} off (canonicalization without lowercasing is not supported)
     */
    public static boolean siglipBeside(Path model) {
        Path config = model.toAbsolutePath().getParent().resolve(HF_TOKENIZER_CONFIG);
        if (!Files.isRegularFile(config)) {
            return false;
        }
        JsonNode node;
        try {
            node = JSON.readTree(config.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(config + ": not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(config + ": not a JSON object");
        }
        if (!SIGLIP_TOKENIZER_CLASS.equals(node.path("tokenizer_class").asText())) {
            return false;
        }
        if (!node.path("do_lower_case").asBoolean(true)) {
            throw new IllegalArgumentException(
                    config
                            + ": do_lower_case false is not supported (SigLIP's canonicalization"
                            + " lowercases)");
        }
        return true;
    }

    /**
     * Checks that {@code tokenizer} is the one named {@code version}, e.g. a tokenizer given by
     * hand for a checkpoint.
     *
     * @param what the thing that names {@code version}, for the message
     * @throws IllegalArgumentException when they differ
     */
    public static void requireVersion(CaptionTokenizer tokenizer, String version, Object what) {
        if (!tokenizer.version().equals(version)) {
            throw new IllegalArgumentException(
                    what
                            + " was made with tokenizer "
                            + version
                            + ", not "
                            + tokenizer.version()
                            + ": use the same tokenizer (a checkpoint carries a copy of its"
                            + " tokenizer.json)");
        }
    }
}
