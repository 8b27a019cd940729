package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.streamlip.filter.config.LanguageConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class LanguageCheckTest {

    @Test
    void decidesFromTheConfidenceValuesAsLinguaDecidesFromTheText() {
        LanguageDetector lingua =
                LanguageDetectorBuilder.fromIsoCodes639_1(
                                LanguageConfig.defaults().languages().stream()
                                        .map(c -> IsoCode639_1.valueOf(c.toUpperCase(Locale.ROOT)))
                                        .toArray(IsoCode639_1[]::new))
                        .withMinimumRelativeDistance(LanguageCheck.MIN_RELATIVE_DISTANCE)
                        .build();
        List<String> captions =
                List.of(
                        "a red bicycle leaning against a brick wall in the old town",
                        "ein rotes Fahrrad an einer Mauer in der Altstadt",
                        "une bicyclette rouge contre un mur de briques",
                        "una bicicleta roja apoyada en una pared de ladrillo",
                        "красный велосипед у кирпичной стены",
                        "自転車が壁に立てかけてある",
                        "hotel restaurant bar",
                        "pizza pasta",
                        "taxi",
                        "ok ok",
                        "sale 50% off today only",
                        "IMG_2041.JPG",
                        "Berlin Paris Roma Madrid Lisboa",
                        "photo run3-1234",
                        "ciao bella come stai oggi",
                        "het weer is mooi vandaag in Amsterdam",
                        "");
        List<Language> answers = new ArrayList<>();
        for (String caption : captions) {
            Language expected = lingua.detectLanguageOf(caption);
            assertThat(
                            LanguageCheck.detectedLanguage(
                                    lingua.computeLanguageConfidenceValues(caption)))
                    .as(caption)
                    .isEqualTo(expected);
            answers.add(expected);
        }
        // Both of Lingua's kinds of answer are among them: a language, and no clear one.
        assertThat(answers).contains(Language.UNKNOWN, Language.GERMAN);
    }
}
