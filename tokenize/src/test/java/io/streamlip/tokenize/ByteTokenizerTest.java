package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer(16);

    @Test
    void encodesUtf8BytesAndEndsWithEos() {
        int[] ids = tokenizer.encode("héllo");
        assertThat(ids).hasSize("héllo".getBytes(StandardCharsets.UTF_8).length + 1);
        assertThat(ids[ids.length - 1]).isEqualTo(ByteTokenizer.EOS);
        assertThat(Arrays.stream(ids).min().orElseThrow()).isGreaterThan(ByteTokenizer.PAD);
        assertThat(Arrays.stream(ids).max().orElseThrow()).isLessThan(tokenizer.vocabSize());
        assertThat(tokenizer.encode("a")).containsExactly('a' + 2, ByteTokenizer.EOS);
    }

    @Test
    void cutsLongCaptionsAtACharacterBoundary() {
        String cjk = "笑顔の顔と笑顔の目"; // 3 bytes a character
        int[] ids = tokenizer.encode(cjk);
        assertThat(ids.length).isLessThanOrEqualTo(16);
        byte[] bytes = new byte[ids.length - 1];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (ids[i] - 2);
        }
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        assertThat(cjk).startsWith(decoded);
        assertThat(decoded).hasSize(5); // 15 bytes fit before EOS
    }

    @Test
    void emptyCaptionIsJustEos() {
        assertThat(Arrays.stream(tokenizer.encode(""))).containsExactly(ByteTokenizer.EOS);
    }
}
