package io.streamlip.filter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FilterConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        FilterConfig c = FilterConfig.defaults();
        assertThat(c.minImageSide()).isEqualTo(16);
        assertThat(c.maxImagePixels()).isEqualTo(40_000_000L);
        assertThat(c.maxAspectRatio()).isEqualTo(8.0);
        assertThat(c.minCaptionChars()).isEqualTo(2);
        assertThat(c.maxCaptionChars()).isEqualTo(1000);
        assertThat(c.dedupRetention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void refusesInconsistentBounds() {
        assertThatThrownBy(
                        () -> FilterConfig.builder().minCaptionChars(10).maxCaptionChars(5).build())
                .hasMessageContaining("maxCaptionChars (5) must not be below minCaptionChars (10)");
        assertThatThrownBy(
                        () ->
                                FilterConfig.builder()
                                        .maxImagePixels(1000)
                                        .maxAspectRatio(0.5)
                                        .build())
                .hasMessageContaining("maxAspectRatio");
        assertThatThrownBy(
                        () ->
                                FilterConfig.builder()
                                        .minImageSide(0)
                                        .maxImagePixels(1000)
                                        .maxAspectRatio(2)
                                        .build())
                .hasMessageContaining("minImageSide");
    }
}
