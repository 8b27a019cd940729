package io.streamlip.tokenize.subword;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    private static BpeModel train(int vocabSize) {
        return new BpeTrainer(BpeTrainer.Config.builder().vocabSize(vocabSize).build())
                .train(MultilingualText.sample());
    }

    @Test
    void learnsMergesUpToTheVocabularySizeAndShortensCaptions() {
        BpeModel model = train(400);
        assertThat(model.vocabSize()).isEqualTo(400);
        assertThat(model.merges()).isNotEmpty();
        String caption = "grinning face with big eyes";
        int[] ids = model.encode(caption);
        assertThat(ids.length).isLessThan(caption.length() / 2);
        assertThat(ids[ids.length - 1]).isEqualTo(BpeModel.EOS_ID);
        assertThat(java.util.Arrays.stream(ids).boxed().toList())
                .allMatch(id -> id > BpeModel.PAD_ID && id < model.vocabSize());
    }

    @Test
    void stopsWhenNoPairIsFrequentEnough() {
        BpeModel model = train(1_000_000);
        assertThat(model.vocabSize()).isLessThan(1_000_000).isGreaterThan(258);
    }

    @Test
    void isDeterministic() {
        BpeModel a = train(500);
        BpeModel b = train(500);
        assertThat(a.vocab()).isEqualTo(b.vocab());
        assertThat(TokenizerJson.write(a)).isEqualTo(TokenizerJson.write(b));
    }

    @Test
    void everyStringEncodesAndDecodesBack() {
        BpeModel model = train(600);
        for (String text : MultilingualText.random(300, 3)) {
            int[] ids = model.encode(text);
            assertThat(model.decode(ids)).isEqualTo(ByteLevel.normalize(text));
        }
        for (String[] c : MultilingualText.CAPTIONS) {
            assertThat(model.decode(model.encode(c[1]))).isEqualTo(ByteLevel.normalize(c[1]));
        }
        assertThat(model.encode("")).containsExactly(BpeModel.EOS_ID);
    }

    @Test
    void byteIdsAreTheByteTokenizersWithoutMerges() {
        BpeModel model = train(258);
        assertThat(model.merges()).isEmpty();
        assertThat(model.encode("aé")).containsExactly(2 + 'a', 2 + 0xC3, 2 + 0xA9, 1);
    }

    @Test
    void normalisesToNfcBeforeCounting() {
        BpeTrainer trainer = new BpeTrainer(BpeTrainer.Config.builder().vocabSize(300).build());
        BpeModel decomposed = trainer.train(List.of("cafe\u0301 cafe\u0301 cafe\u0301"));
        BpeModel composed = trainer.train(List.of("café café café"));
        assertThat(decomposed.vocab()).isEqualTo(composed.vocab());
    }

    @Test
    void languageSampleCapsEachLanguage() {
        LanguageSample sample = new LanguageSample(5, 1);
        for (int i = 0; i < 100; i++) {
            sample.offer("en", "caption " + i);
        }
        sample.offer("ja", "顔");
        sample.offer(null, "no language");
        sample.offer("de", "  ");
        assertThat(sample.byLanguage().get("en")).hasSize(5);
        assertThat(sample.byLanguage().get("ja")).containsExactly("顔");
        assertThat(sample.byLanguage()).containsOnlyKeys("en", "ja", "und");
        assertThat(sample.offered().get("en")).isEqualTo(100L);
        // Reservoir sampling draws from the whole stream, not just its start.
        assertThat(sample.byLanguage().get("en"))
                .anyMatch(c -> Integer.parseInt(c.substring(8)) >= 5);
    }
}
