package io.streamlip.filter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterArgumentsTest {

    @Test
    void whatOfWritesApplyReadsBack() {
        FilterConfig config =
                FilterConfig.defaults().toBuilder()
                        .minImageSide(40)
                        .maxAspectRatio(3.5)
                        .dedupRetention(Duration.ofHours(6))
                        .text(TextQualityConfig.defaults().toBuilder().boilerplate(false).build())
                        .language(
                                LanguageConfig.defaults().toBuilder()
                                        .caps(Map.of("en", 10L))
                                        .capWindow(Duration.ofMinutes(10))
                                        .build())
                        .nearDuplicates(
                                NearDuplicateConfig.defaults().toBuilder()
                                        .evalSets(List.of("/a", "/b"))
                                        .maxDistance(9)
                                        .build())
                        .blocklist(
                                BlocklistConfig.defaults().toBuilder()
                                        .imageHashesFile("/optout.txt")
                                        .followTopic(false)
                                        .maxEntries(250_000)
                                        .build())
                        .build();
        List<String> args = FilterArguments.of(config);
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            given.put(args.get(i).substring(2), args.get(i + 1));
        }
        assertThat(FilterArguments.apply(given, FilterConfig.defaults())).isEqualTo(config);
        assertThat(FilterArguments.of(FilterConfig.defaults())).isEmpty();
    }

    @Test
    void aBadValueNamesItsOption() {
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("min-caption-chars", "two"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--min-caption-chars takes a number, got 'two'");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("dedup-retention", "a week"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--dedup-retention")
                .hasMessageContaining("90s, 10m, 6h, 7d or PT10M");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of(
                                                "min-caption-chars",
                                                "50",
                                                "max-caption-chars",
                                                "10"),
                                        FilterConfig.defaults()))
                .hasMessageContaining(
                        "maxCaptionChars (10) must not be below minCaptionChars (50)");
    }

    @Test
    void theBlocklistBoundIsAKeyWithItsOwnBound() {
        FilterConfig big =
                FilterArguments.apply(
                        Map.of("blocklist-max-entries", "1500000"), FilterConfig.defaults());
        assertThat(big.blocklist().maxEntries()).isEqualTo(1_500_000);
        assertThat(FilterConfig.defaults().blocklist().maxEntries())
                .isEqualTo(BlocklistConfig.DEFAULT_MAX_ENTRIES)
                .isEqualTo(100_000);
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("blocklist-max-entries", "0"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--*blocklist*")
                .hasMessageContaining("maxEntries must be in [1, 2000000], got 0");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("blocklist-max-entries", "2000001"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("maxEntries must be in [1, 2000000], got 2000001");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("blocklist-max-entries", "many"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--blocklist-max-entries takes a number, got 'many'");
    }

    @Test
    void theJoinsHeapBoundIsGivenInMebibytes() {
        assertThat(FilterConfig.defaults().nearDuplicates().maxPendingBytes()).isEqualTo(64L << 20);
        FilterConfig small =
                FilterArguments.apply(
                        Map.of("near-duplicate-max-pending-mib", "3"), FilterConfig.defaults());
        assertThat(small.nearDuplicates().maxPendingBytes()).isEqualTo(3L << 20);
        assertThat(FilterArguments.of(small))
                .containsExactly("--near-duplicate-max-pending-mib", "3");
        assertThat(
                        FilterArguments.apply(
                                        Map.of("near-duplicate-max-pending-mib", "0"),
                                        FilterConfig.defaults())
                                .nearDuplicates()
                                .maxPendingBytes())
                .isZero();
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("near-duplicate-max-pending-mib", "-1"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("--near-duplicate-max-pending-mib: takes MiB in [0, ");
        assertThatThrownBy(
                        () ->
                                FilterArguments.apply(
                                        Map.of("near-duplicate-max-pending-mib", "99999999999999"),
                                        FilterConfig.defaults()))
                .hasMessageContaining("got 99999999999999");
    }

    @Test
    void durationsTakeUnitsAndIso() {
        assertThat(FilterArguments.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(FilterArguments.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(FilterArguments.duration("pt10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(FilterArguments.duration("0")).isZero();
    }
}
