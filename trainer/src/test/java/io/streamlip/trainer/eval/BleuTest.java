package io.streamlip.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BLEU on the worked examples of Papineni et al. 2002 (§2.1) and NLTK's documented values. */
class BleuTest {
    // Papineni et al. 2002, Example 1 (punctuation dropped).
    private static final String CANDIDATE_1 =
            "It is a guide to action which ensures that the military always obeys the commands of"
                    + " the party";
    private static final String CANDIDATE_2 =
            "It is to insure the troops forever hearing the activity guidebook that party direct";
    private static final List<String> REFERENCES =
            List.of(
                    "It is a guide to action that ensures that the military will forever heed"
                            + " Party commands",
                    "It is the guiding principle which guarantees the military forces always being"
                            + " under the command of the Party",
                    "It is the practical guide for the army always to heed the directions of the"
                            + " party");

    private static Bleu one(String candidate, List<String> references) {
        Bleu bleu = new Bleu();
        bleu.addTexts(candidate, references);
        return bleu;
    }

    @Test
    void modifiedUnigramPrecisionsOfExample1() {
        Bleu c1 = one(CANDIDATE_1, REFERENCES);
        assertThat(c1.matched(1)).isEqualTo(17);
        assertThat(c1.candidateNgrams(1)).isEqualTo(18);
        Bleu c2 = one(CANDIDATE_2, REFERENCES);
        assertThat(c2.matched(1)).isEqualTo(8);
        assertThat(c2.candidateNgrams(1)).isEqualTo(14);
    }

    @Test
    void modifiedBigramPrecisionsOfExample1() {
        Bleu c1 = one(CANDIDATE_1, REFERENCES);
        assertThat(c1.matched(2)).isEqualTo(10);
        assertThat(c1.candidateNgrams(2)).isEqualTo(17);
        Bleu c2 = one(CANDIDATE_2, REFERENCES);
        assertThat(c2.matched(2)).isEqualTo(1);
        assertThat(c2.candidateNgrams(2)).isEqualTo(13);
    }

    @Test
    void clippingOfExample2() {
        // "the the the the the the the": each "the" is clipped to its largest count (2) in one
        // reference, so the modified unigram precision is 2/7, not 7/7.
        Bleu bleu =
                one(
                        "the the the the the the the",
                        List.of("The cat is on the mat", "There is a cat on the mat"));
        assertThat(bleu.precision(1)).isCloseTo(2.0 / 7, within(1e-12));
    }

    @Test
    void sentenceAndCorpusScoresAsNltkDocumentsThem() {
        // nltk.translate.bleu_score docstrings: sentence_bleu 0.5045..., corpus_bleu 0.5920...
        assertThat(one(CANDIDATE_1, REFERENCES).score())
                .isCloseTo(0.5045666840058485, within(1e-9));
        Bleu corpus = new Bleu();
        corpus.addTexts(CANDIDATE_1, REFERENCES);
        corpus.addTexts(
                "he read the book because he was interested in world history",
                List.of("he was interested in world history because he read the book"));
        assertThat(corpus.score()).isCloseTo(0.5920778868801042, within(1e-9));
    }

    @Test
    void brevityPenaltyUsesTheClosestReferenceLength() {
        // Candidate of 4 words, references of 6 and 9: r = 6, BP = exp(1 - 6/4).
        Bleu bleu = one("a b c d", List.of("a b c d e f", "a b c d e f g h i"));
        assertThat(bleu.brevityPenalty()).isCloseTo(Math.exp(1 - 6.0 / 4), within(1e-12));
        assertThat(bleu.score()).isCloseTo(Math.exp(1 - 6.0 / 4), within(1e-12));
        assertThat(one("a b c d", List.of("a b c d")).score()).isEqualTo(1.0);
        assertThat(one("", List.of("a b")).score()).isEqualTo(0.0);
        assertThat(one("a b c", List.of("a b c")).score()).isEqualTo(0.0); // no 4-gram
    }

    @Test
    void unspacedScriptsTokenizeByCharacter() {
        assertThat(Bleu.tokens("  grinning  face ")).containsExactly("grinning", "face");
        assertThat(Bleu.tokens("笑脸 ok")).containsExactly("笑", "脸", "ok");
        assertThat(Bleu.tokens("にっこり笑う")).containsExactly("に", "っ", "こ", "り", "笑", "う");
    }
}
