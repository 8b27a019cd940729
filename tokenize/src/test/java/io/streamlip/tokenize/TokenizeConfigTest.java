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
        assertThatThrownBy(() -> TokenizeConfig.builder().imageSize(4097).build())
                .hasMessageContaining("imageSize must be at most 4096, got 4097");
    }

    @Test
    void anRgbImageMustFitTheRecordLimit() {
        // 3 bytes a pixel: 2,500 px is 18.75 MB, over the 16 MiB record limit; PNG may be smaller.
        assertThatThrownBy(() -> TokenizeConfig.builder().imageSize(2500).build())
                .hasMessageContaining("2500 px RGB8_HWC image does not fit")
                .hasMessageContaining("use pixelFormat PNG");
        assertThat(
                        TokenizeConfig.builder()
                                .imageSize(2500)
                                .pixelFormat(PixelFormat.PNG)
                                .build()
                                .imageSize())
                .isEqualTo(2500);
        assertThat(TokenizeConfig.builder().imageSize(224).build().imageSize()).isEqualTo(224);
    }
}
