package io.streamlip.filter.curate;

import static io.streamlip.filter.curate.ImageValidityTest.reason;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.schemas.RejectReason;
import java.text.Normalizer;
import org.junit.jupiter.api.Test;

class CaptionCheckTest {
    private final CaptionCheck check = new CaptionCheck(FilterConfig.defaults());

    @Test
    void normalisesToNfcAndCollapsesWhitespace() {
        String nfd = Normalizer.normalize("café crème", Normalizer.Form.NFD);
        assertThat(nfd).isNotEqualTo("café crème");
        assertThat(check.check("  " + nfd + " \t\n au\u00a0lait\u3000 ").value())
                .isEqualTo("café crème au lait");
    }

    @Test
    void stripsControlCharactersButKeepsJoiners() {
        assertThat(check.check("red\u0000 cir\u0007cle\u007f\u009b").value())
                .isEqualTo("red circle");
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 family";
        assertThat(check.check(family).value()).isEqualTo(family);
    }

    @Test
    void refusesEmptyAndWhitespaceOnlyCaptions() {
        assertThat(reason(check.check(""))).isEqualTo(RejectReason.CAPTION_EMPTY);
        assertThat(reason(check.check(null))).isEqualTo(RejectReason.CAPTION_EMPTY);
        assertThat(reason(check.check(" \t\n\u00a0\u3000\u0000 ")))
                .isEqualTo(RejectReason.CAPTION_EMPTY);
    }

    @Test
    void countsCharactersNotBytes() {
        assertThat(reason(check.check("a"))).isEqualTo(RejectReason.CAPTION_TOO_SHORT);
        // one ideograph, Hangul syllable or kana is a word: real CLDR names ("cat" in ja/zh/ko)
        assertThat(check.check("猫").value()).isEqualTo("猫");
        assertThat(check.check("개").accepted()).isTrue();
        assertThat(check.check("ネ").accepted()).isTrue();
        assertThat(check.check("赤い円").value()).isEqualTo("赤い円");
        // four emoji: four code points, eight UTF-16 units
        CaptionCheck atMostFour =
                new CaptionCheck(
                        FilterConfig.builder().minCaptionChars(2).maxCaptionChars(4).build());
        assertThat(atMostFour.check("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00").accepted())
                .isTrue();
        assertThat(reason(atMostFour.check("abcde"))).isEqualTo(RejectReason.CAPTION_TOO_LONG);
    }

    @Test
    void refusesAMegabyteCaption() {
        String huge = "word ".repeat(200_000 + 1);
        assertThat(huge.length()).isGreaterThan(1_000_000);
        var verdict = check.check(huge);
        assertThat(reason(verdict)).isEqualTo(RejectReason.CAPTION_TOO_LONG);
        assertThat(ImageValidityTest.detail(verdict)).contains("more than 1000");
    }
}
