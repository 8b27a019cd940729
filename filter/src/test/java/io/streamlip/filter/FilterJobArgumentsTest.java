package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.config.BlocklistConfig;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.fetch.FetchConfig;
import io.streamlip.platform.flink.JobArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code FilterJob.main}'s own options and its {@code --config FILE}. */
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

    @Test
    void theJobReadsTheSameConfigFileAsTheCliAndItsArgumentsWin(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("streamlip.yaml");
        Files.writeString(
                file,
                """
                kafka:
                  bootstrap: broker:9092
                  topic-prefix: prod.
                  kafka-property: {client.id: curator}
                submit:
                  checkpoint-dir: /checkpoints
                  flink: http://jobmanager:8081
                  parallelism: 3
                filter:
                  min-image-side: 24
                  eval-sets: /evals/a
                score:
                  live-model: true
                  crossmodal-top-fraction: 0.8
                tokenize:
                  image-size: 224
                """);
        JobArguments arguments =
                FilterJob.arguments("--config", file.toString(), "--min-image-side", "48");
        assertThat(arguments.topics().rawPairs()).isEqualTo("prod.raw-pairs");
        assertThat(arguments.settings().parallelism()).isEqualTo(3);
        FilterConfig config = FilterJob.config(arguments);
        assertThat(config.minImageSide()).isEqualTo(48);
        assertThat(config.nearDuplicates().evalSets()).containsExactly("/evals/a");
        assertThat(config.crossModal().enabled()).isTrue();
        assertThat(config.crossModal().topFraction()).isEqualTo(0.8);

        Files.writeString(file, "filter:\n  min-image-sid: 24\n");
        assertThatThrownBy(() -> FilterJob.arguments(with("--config", file.toString())))
                .hasMessageContaining(file + ":2: filter.min-image-sid: the job has no option")
                .hasMessageContaining("min-image-side");
    }

    @Test
    void theFetchOptionsAndTheirConfigFileKeysSetTheFetchStage(@TempDir Path dir)
            throws IOException {
        FetchConfig given =
                FilterJob.config(
                                FilterJob.arguments(
                                        with(
                                                "--fetch-timeout",
                                                "45s",
                                                "--fetch-per-host=2",
                                                "--fetch-allow-private",
                                                "127.0.0.0/8",
                                                "--fetch-user-agent",
                                                "mybot/1.0")))
                        .fetch();
        assertThat(given.totalTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(given.perHostConcurrency()).isEqualTo(2);
        assertThat(given.allowedNetworks()).containsExactly("127.0.0.0/8");
        assertThat(given.userAgent()).isEqualTo("mybot/1.0");
        assertThat(FilterJob.config(FilterJob.arguments(COMMON)).fetch())
                .isEqualTo(FetchConfig.defaults());

        Path file = dir.resolve("streamlip.yaml");
        Files.writeString(file, "filter:\n  fetch-max-bytes: 1000000\n  fetch: false\n");
        FetchConfig fromFile =
                FilterJob.config(FilterJob.arguments(with("--config", file.toString()))).fetch();
        assertThat(fromFile.maxBytes()).isEqualTo(1_000_000);
        assertThat(fromFile.enabled()).isFalse();
        assertThatThrownBy(
                        () -> FilterJob.config(FilterJob.arguments(with("--fetch-retries", "99"))))
                .hasMessageContaining("--fetch-*")
                .hasMessageContaining("maxRetries must lie in [0, 10]");
    }

    private static String[] with(String... more) {
        String[] all = new String[COMMON.length + more.length];
        System.arraycopy(COMMON, 0, all, 0, COMMON.length);
        System.arraycopy(more, 0, all, COMMON.length, more.length);
        return all;
    }
}
