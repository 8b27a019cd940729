package io.streamlip.tokenize.subword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubwordTokenizerTest {
    private static BpeModel model;
    private static byte[] json;

    @BeforeAll
    static void train() {
        model =
                new BpeTrainer(BpeTrainer.Config.builder().vocabSize(700).build())
                        .train(MultilingualText.sample());
        json = TokenizerJson.write(model);
    }

    @Test
    void tokenizerJsonReadsBackToTheSameModel() {
        BpeModel back = TokenizerJson.read(json);
        assertThat(back.vocab()).isEqualTo(model.vocab());
        assertThat(back.merges())
                .usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(model.merges());
    }

    /** A captioner writes text back through decode: the inverse of encode on normalised text. */
    @Test
    void decodeInvertsEncodeUpToTheEndOfSequence() {
        SubwordTokenizer tokenizer =
                SubwordTokenizer.of(json, 10_000, SubwordTokenizer.Engine.JAVA);
        for (String[] caption : MultilingualText.CAPTIONS) {
            String text = ByteLevel.normalize(caption[1]);
            int[] ids = tokenizer.encode(text);
            int[] padded = java.util.Arrays.copyOf(ids, ids.length + 3);
            padded[ids.length] = 5; // after the end of sequence: ignored
            assertThat(tokenizer.decode(padded)).as(caption[1]).isEqualTo(text);
        }
    }

    /** The Hugging Face library (through DJL) gives exactly the Java encoder's ids. */
    @Test
    void djlBindingAndJavaEncoderAgreeOnEveryString() {
        List<String> texts = new ArrayList<>();
        MultilingualText.CAPTIONS.forEach(c -> texts.add(c[1]));
        texts.add("");
        texts.add("   leading and trailing   ");
        texts.add("e\u0301\u0301 a\u0308\u0304 \u1100\u1161\u11a8"); // NFC of marks and jamo
        texts.addAll(MultilingualText.random(2000, 11));
        try (SubwordTokenizer djl = SubwordTokenizer.of(json, 10_000, SubwordTokenizer.Engine.DJL);
                SubwordTokenizer java =
                        SubwordTokenizer.of(json, 10_000, SubwordTokenizer.Engine.JAVA)) {
            for (String text : texts) {
                assertThat(djl.encode(text)).as("ids of '%s'", text).isEqualTo(java.encode(text));
            }
        }
    }

    @Test
    void truncatesToMaxTokensEndingWithEos() {
        SubwordTokenizer tokenizer = SubwordTokenizer.of(json, 6, SubwordTokenizer.Engine.JAVA);
        String caption = "大きな目で笑う顔 grinning face with big eyes 😀😀😀";
        int[] full = model.encode(caption);
        int[] ids = tokenizer.encode(caption);
        assertThat(full.length).isGreaterThan(6);
        assertThat(ids).hasSize(6);
        assertThat(ids[5]).isEqualTo(tokenizer.eosId());
        assertThat(java.util.Arrays.copyOf(ids, 5)).isEqualTo(java.util.Arrays.copyOf(full, 5));
        assertThat(tokenizer.padId()).isEqualTo(0);
        assertThat(tokenizer.vocabSize()).isEqualTo(700);
    }

    @Test
    void versionIsTheFilesHash(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, json);
        SubwordTokenizer a = SubwordTokenizer.load(file, 32);
        SubwordTokenizer b = SubwordTokenizer.of(json, 64, SubwordTokenizer.Engine.DJL);
        assertThat(a.version()).isEqualTo(b.version()).matches("bpe700-[0-9a-f]{12}");
        BpeModel other =
                new BpeTrainer(BpeTrainer.Config.builder().vocabSize(650).build())
                        .train(MultilingualText.sample());
        assertThat(SubwordTokenizer.of(TokenizerJson.write(other), 32, a.engine()).version())
                .isNotEqualTo(a.version());
    }

    @Test
    void serializesWithoutItsEncoder() throws Exception {
        for (SubwordTokenizer.Engine engine : SubwordTokenizer.Engine.values()) {
            SubwordTokenizer tokenizer = SubwordTokenizer.of(json, 32, engine);
            int[] before = tokenizer.encode("красное сердце ❤️");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(tokenizer);
            }
            SubwordTokenizer copy;
            try (ObjectInputStream in =
                    new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                copy = (SubwordTokenizer) in.readObject();
            }
            copy.open();
            assertThat(copy.encode("красное сердце ❤️")).isEqualTo(before);
            assertThat(copy.version()).isEqualTo(tokenizer.version());
            tokenizer.close();
            copy.close();
        }
    }

    @Test
    void refusesFilesWithoutItsSpecialTokens() {
        byte[] foreign =
                "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}"
                        .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SubwordTokenizer.of(foreign, 8, SubwordTokenizer.Engine.DJL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a streamlip tokenizer");
    }
}
