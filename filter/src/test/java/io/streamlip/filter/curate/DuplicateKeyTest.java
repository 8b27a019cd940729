package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import org.junit.jupiter.api.Test;

class DuplicateKeyTest {
    private static final String IMAGE = DuplicateKey.sha256Hex(new byte[] {1, 2, 3});

    @Test
    void sameImageAndCaptionIsTheSameKey() {
        assertThat(DuplicateKey.of(IMAGE, "a red circle"))
                .isEqualTo(DuplicateKey.of(IMAGE, "a red circle"))
                .hasSize(64);
    }

    @Test
    void nfcAndNfdFormsOfACaptionAreTheSameOnceNormalised() {
        String nfc = "Kreis in Weiß, café";
        String nfd = Normalizer.normalize(nfc, Normalizer.Form.NFD);
        assertThat(nfd).isNotEqualTo(nfc);
        assertThat(DuplicateKey.of(IMAGE, CaptionCheck.normalise(nfd)))
                .isEqualTo(DuplicateKey.of(IMAGE, CaptionCheck.normalise(nfc)));
    }

    @Test
    void anotherCaptionOrAnotherImageIsANewPair() {
        String other = DuplicateKey.sha256Hex(new byte[] {1, 2, 4});
        assertThat(DuplicateKey.of(IMAGE, "a red circle"))
                .isNotEqualTo(DuplicateKey.of(IMAGE, "Kreis in Rot"))
                .isNotEqualTo(DuplicateKey.of(other, "a red circle"));
    }

    @Test
    void sha256HexIsTheKnownDigest() {
        assertThat(DuplicateKey.sha256Hex(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
