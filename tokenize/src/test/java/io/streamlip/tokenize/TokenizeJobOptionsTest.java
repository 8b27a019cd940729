package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.flink.JobArguments;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The tokenize job's own options on its {@code main}'s command line (besides the tokenizer's). */
class TokenizeJobOptionsTest {
    private static final String[] COMMON = {"--bootstrap", "h:1", "--checkpoint-dir", "/cp"};

    @Test
    void theImageSizeOptionSetsTheExamplesSize() {
        assertThat(TokenizeJob.config(TokenizeJob.arguments(with("--image-size", "224"))))
                .extracting(TokenizeConfig::imageSize)
                .isEqualTo(224);
        JobArguments joined = TokenizeJob.arguments(with("--image-size=64", "--tokenizer=bytes"));
        assertThat(joined.jobOption(TokenizeJob.IMAGE_SIZE_OPTION)).contains("64");
        assertThat(TokenizeJob.config(joined).imageSize()).isEqualTo(64);
        assertThat(TokenizeJob.config(TokenizeJob.arguments(COMMON)).imageSize())
                .isEqualTo(TokenizeConfig.defaults().imageSize())
                .isEqualTo(32);
    }

    @Test
    void aBadImageSizeIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> TokenizeJob.config(TokenizeJob.arguments(with("--image-size=x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--image-size takes a number of pixels, got 'x'");
        assertThatThrownBy(() -> TokenizeJob.config(TokenizeJob.arguments(with("--image-size=2"))))
                .hasMessage("--image-size 2: imageSize must be at least 4, got 2");
        assertThatThrownBy(
                        () -> TokenizeJob.config(TokenizeJob.arguments(with("--image-size=5000"))))
                .hasMessageContaining("--image-size 5000: imageSize must be at most 4096");
        assertThatThrownBy(() -> TokenizeJob.arguments(with("--image-size")))
                .hasMessageContaining("--image-size needs a value");
    }

    private static String[] with(String... more) {
        return Stream.concat(Stream.of(COMMON), Stream.of(more)).toArray(String[]::new);
    }
}
