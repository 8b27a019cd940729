package io.streamlip.tokenize.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.Tokenizers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SentencePiece {@code .model} through DJL's binding, offline, named like any tokenizer. */
class SentencePieceTokenizerTest {
    private static final List<String> WORDS = List.of("red", "circle", "blue");

    @Test
    void encodesWithTheModelsIdsAndEndsWithItsEos() {
        SentencePieceTokenizer t =
                SentencePieceTokenizer.of(SentencePieceModels.unigram(WORDS, true), 16);
        // 0 <pad>, 1 </s>, 2 <unk>, 3 ▁, 4-29 a-z, 30 ▁red, 31 ▁circle, 32 ▁blue
        assertThat(t.vocabSize()).isEqualTo(33);
        assertThat(t.padId()).isZero();
        assertThat(t.eosId()).isEqualTo(1);
        assertThat(t.encode("red circle")).containsExactly(30, 31, 1);
        assertThat(t.encode("blue")).containsExactly(32, 1);
        assertThat(t.encode("red ab")).containsExactly(30, 3, 4, 5, 1);
        assertThat(t.encode("z".repeat(40))).hasSize(16).endsWith(1);
        assertThat(t.version()).startsWith("sp33-");
        t.close();
    }

    @Test
    void aModelWithoutPaddingGetsAnExtraPadId() {
        SentencePieceTokenizer t =
                SentencePieceTokenizer.of(SentencePieceModels.unigram(WORDS, false), 16);
        assertThat(t.eosId()).isZero();
        assertThat(t.padId()).isEqualTo(32);
        assertThat(t.vocabSize()).isEqualTo(33);
        assertThat(t.encode("red")).containsExactly(29, 0);
    }

    @Test
    void survivesSerializationLikeAnOperatorField() throws Exception {
        SentencePieceTokenizer t =
                SentencePieceTokenizer.of(SentencePieceModels.unigram(WORDS, true), 16);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SentencePieceTokenizer back = (SentencePieceTokenizer) in.readObject();
            assertThat(back.version()).isEqualTo(t.version());
            assertThat(back.encode("blue circle")).containsExactly(t.encode("blue circle"));
        }
    }

    @Test
    void isNamedByPathAndTravelsInAFolder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vocab.model");
        Files.write(file, SentencePieceModels.unigram(WORDS, true));
        CaptionTokenizer t = Tokenizers.load(file.toString(), 16);
        assertThat(t).isInstanceOf(SentencePieceTokenizer.class);
        Path checkpoint = Files.createDirectory(dir.resolve("checkpoint"));
        Tokenizers.save(t, checkpoint);
        assertThat(checkpoint.resolve(Tokenizers.SENTENCEPIECE_FILE)).hasSameBinaryContentAs(file);
        CaptionTokenizer back = Tokenizers.fromFolder(checkpoint, t.version(), 16);
        assertThat(back.encode("red circle")).containsExactly(t.encode("red circle"));
        assertThat(Tokenizers.load(checkpoint.toString(), 16).version()).isEqualTo(t.version());
    }

    @Test
    void refusesWhatIsNotAModel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junk.model");
        Files.write(file, new byte[] {8, 1, 16});
        assertThatThrownBy(() -> Tokenizers.load(file.toString(), 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("junk.model")
                .hasMessageContaining("not a SentencePiece model");
    }

    @Test
    void canonicalizesCaptionsAsSiglipsTokenizerDoes() {
        // transformers' SiglipTokenizer: lower(), then string.punctuation deleted, \s+ -> " ",
        // strip.
        assertThat(SentencePieceTokenizer.canonical("  Red, CIRCLE!\t\n(blue)  "))
                .isEqualTo("red circle blue");
        assertThat(SentencePieceTokenizer.canonical("don't-stop_me @home"))
                .isEqualTo("dontstopme home");
        assertThat(SentencePieceTokenizer.canonical("Été\u00a0à «Paris» 東京。"))
                .isEqualTo("été à «paris» 東京。"); // only ASCII punctuation goes
        SentencePieceTokenizer plain =
                SentencePieceTokenizer.of(SentencePieceModels.unigram(WORDS, true), 16);
        SentencePieceTokenizer siglip =
                SentencePieceTokenizer.of(SentencePieceModels.unigram(WORDS, true), 16, true);
        assertThat(siglip.encode("Red,  Circle!")).containsExactly(30, 31, 1);
        assertThat(plain.encode("Red,  Circle!")).isNotEqualTo(siglip.encode("Red,  Circle!"));
        assertThat(siglip.version())
                .isEqualTo(plain.version() + SentencePieceTokenizer.SIGLIP_SUFFIX);
    }

    @Test
    void aHuggingFaceSiglipFolderCanonicalizesAndSoDoesTheCheckpointMadeFromIt(@TempDir Path dir)
            throws Exception {
        Path hf = Files.createDirectory(dir.resolve("hf"));
        Files.write(
                hf.resolve(Tokenizers.HF_SENTENCEPIECE_FILE),
                SentencePieceModels.unigram(WORDS, true));
        Files.writeString(
                hf.resolve(Tokenizers.HF_TOKENIZER_CONFIG),
                "{\"tokenizer_class\": \"SiglipTokenizer\", \"model_max_length\": 64}");
        SentencePieceTokenizer t = (SentencePieceTokenizer) Tokenizers.load(hf.toString(), 16);
        assertThat(t.siglip()).isTrue();
        assertThat(t.encode("BLUE.")).containsExactly(32, 1);

        Path checkpoint = Files.createDirectory(dir.resolve("checkpoint"));
        Tokenizers.save(t, checkpoint);
        SentencePieceTokenizer back =
                (SentencePieceTokenizer) Tokenizers.fromFolder(checkpoint, t.version(), 16);
        assertThat(back.siglip()).isTrue();
        assertThat(back.encode("BLUE.")).containsExactly(32, 1);
        // The checkpoint folder, named as a tokenizer, is the same tokenizer.
        assertThat(Tokenizers.load(checkpoint.toString(), 16).version()).isEqualTo(t.version());
    }

    @Test
    void refusesASiglipConfigThatTurnsLowercasingOff(@TempDir Path dir) throws Exception {
        Files.write(
                dir.resolve(Tokenizers.HF_SENTENCEPIECE_FILE),
                SentencePieceModels.unigram(WORDS, true));
        Files.writeString(
                dir.resolve(Tokenizers.HF_TOKENIZER_CONFIG),
                "{\"tokenizer_class\": \"SiglipTokenizer\", \"do_lower_case\": false}");
        assertThatThrownBy(() -> Tokenizers.load(dir.toString(), 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do_lower_case");
    }
}
