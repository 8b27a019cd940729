package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.schemas.PixelFormat;
import org.junit.jupiter.api.Test;

class TokenizeConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        TokenizeConfig c = TokenizeConfig.defaults();
        assertThat(c.imageSize()).isEqualTo(32);
        assertThat(c.pixelFormat()).isEqualTo(PixelFormat.RGB8_HWC);
        assertThat(c.maxTokens()).isEqualTo(64);
        assertThat(c.tokenizer().version()).isEqualTo("bytes-v1");
        assertThat(((ByteTokenizer) c.tokenizer()).maxTokens()).isEqualTo(64);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> TokenizeConfig.builder().imageSize(2).build())
                .hasMessageContaining("imageSize must be at least 4, got 2");
        assertThatThrownBy(() -> TokenizeConfig.builder().maxTokens(1).build())
                .hasMessageContaining("maxTokens");
    }
}
