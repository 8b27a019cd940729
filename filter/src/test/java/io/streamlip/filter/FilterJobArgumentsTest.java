package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.BlocklistConfig;
import org.junit.jupiter.api.Test;

/** {@code FilterJob.main}'s own options: the blocklist files and distance. */
class FilterJobArgumentsTest {
    private static final String[] COMMON = {"--bootstrap", "k:9092", "--checkpoint-dir", "/cp"};

    @Test
    void theBlocklistOptionsSetTheBlocklistConfig() {
        BlocklistConfig given =
                FilterJob.config(
                                FilterJob.arguments(
                                        with(
                                                "--caption-blocklist",
                                                "/lists/terms.txt",
                                                "--image-blocklist=/lists/images.txt",
                                                "--blocklist-max-distance",
                                                "6")))
                        .blocklist();
        assertThat(given.captionTermsFile()).isEqualTo("/lists/terms.txt");
        assertThat(given.imageHashesFile()).isEqualTo("/lists/images.txt");
        assertThat(given.maxPhashDistance()).isEqualTo(6);
        assertThat(given.followTopic()).isTrue();

        assertThat(FilterJob.config(FilterJob.arguments(COMMON)).blocklist())
                .isEqualTo(BlocklistConfig.defaults());
    }

    @Test
    void aBadDistanceIsAnError() {
        assertThatThrownBy(
                        () ->
                                FilterJob.config(
                                        FilterJob.arguments(
                                                with("--blocklist-max-distance", "near"))))
                .hasMessageContaining("--blocklist-max-distance takes a number, got 'near'");
        assertThatThrownBy(
                        () ->
                                FilterJob.config(
                                        FilterJob.arguments(
                                                with("--blocklist-max-distance", "40"))))
                .hasMessageContaining("[0, 32]");
    }

    private static String[] with(String... more) {
        String[] all = new String[COMMON.length + more.length];
        System.arraycopy(COMMON, 0, all, 0, COMMON.length);
        System.arraycopy(more, 0, all, COMMON.length, more.length);
        return all;
    }
}
