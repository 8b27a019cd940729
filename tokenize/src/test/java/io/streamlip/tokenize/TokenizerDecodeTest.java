package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenizerDecodeTest {
    @Test
    void byteTokenizerDecodesWhatItEncodesUpToTheEndOfSequence() {
        ByteTokenizer tokenizer = new ByteTokenizer(64);
        for (String text : new String[] {"grinning face", "笑脸", "visage souriant", ""}) {
            assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        }
        int[] ids = tokenizer.encode("ab");
        int[] padded = {ids[0], ids[1], ByteTokenizer.EOS, 'z' + 2, 0, 0};
        assertThat(tokenizer.decode(padded)).isEqualTo("ab");
        assertThat(tokenizer.decode(new int[] {'a' + 2, 0, 999, -3, 'b' + 2})).isEqualTo("ab");
    }

    @Test
    void untilEosCutsAtTheFirstEndOfSequence() {
        assertThat(CaptionTokenizer.untilEos(new int[] {4, 5, 1, 6, 1}, 1)).containsExactly(4, 5);
        assertThat(CaptionTokenizer.untilEos(new int[] {4, 5}, 1)).containsExactly(4, 5);
    }
}
