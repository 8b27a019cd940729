package io.streamlip.ingest.emoji;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.streamlip.ingest.importer.ImportStats;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiCorpusTest {
    private static final Instant CRAWL = Instant.parse("2025-01-02T03:04:05Z");

    @TempDir static Path dir;
    static EmojiData data;

    @BeforeAll
    static void fixture() throws IOException {
        data = EmojiFixture.write(dir.resolve("npm"));
    }

    private static EmojiCorpus.Config google() {
        return EmojiCorpus.Config.builder()
                .vendors(List.of("google"))
                .order(EmojiCorpus.Order.CATALOGUE)
                .crawlTime(CRAWL)
                .build();
    }

    private static Map<String, RawPair> byId(EmojiCorpus corpus) {
        Map<String, RawPair> pairs = new HashMap<>();
        corpus.pairs().forEachRemaining(p -> pairs.put(p.getId(), p));
        return pairs;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void joinsEachImageWithItsNameInEveryLocaleThatHasOne() {
        EmojiCorpus corpus = EmojiCorpus.open(data, google());
        Map<String, RawPair> pairs = byId(corpus);

        assertThat(corpus.locales()).containsExactlyElementsOf(EmojiFixture.LOCALES);
        assertThat(pairs).hasSize(14);
        assertThat(corpus.expectedPairs()).isEqualTo(14);

        RawPair grin = pairs.get("emoji:google:1f600:en:0");
        assertThat(grin.getAltText()).isEqualTo("grinning face");
        assertThat(grin.getLangHint()).isEqualTo("en");
        assertThat(grin.getSource()).isEqualTo("emoji:google");
        assertThat(grin.getCrawlTime()).isEqualTo(CRAWL);
        assertThat(bytes(grin.getImage())).isEqualTo(EmojiFixture.png("google", "1f600.png"));
        assertThat(grin.getAttributes())
                .containsEntry("class", "1f600")
                .containsEntry("vendor", "google")
                .containsEntry("category", "Smileys & Emotion")
                .containsEntry("subcategory", "face-smiling")
                .containsEntry("text_kind", "tts")
                .doesNotContainKey("base_class");

        assertThat(pairs.get("emoji:google:1f600:zh-Hant:0").getAltText()).isEqualTo("露齒笑臉");
        assertThat(pairs.get("emoji:google:1f600:pt-PT:0").getLangHint()).isEqualTo("pt-PT");
        // the catalogue says 263A-FE0F, CLDR keys it as 263A
        assertThat(pairs.get("emoji:google:263a-fe0f:de:0").getAltText())
                .isEqualTo("lächelndes Gesicht");
        // only in the derived package
        assertThat(pairs.get("emoji:google:1f1e9-1f1ea:fr:0").getAltText())
                .isEqualTo("drapeau : Allemagne");
        assertThat(pairs).doesNotContainKey("emoji:google:1f984:fr:0");
        assertThat(pairs.keySet()).noneMatch(id -> id.contains("1f3fb"));
        assertThat(pairs.keySet()).noneMatch(id -> id.contains("1f9a9"));
    }

    @Test
    void countsWhatItLeavesOutPerReason() {
        EmojiCorpus google = EmojiCorpus.open(data, google());
        assertThat(google.skipped())
                .containsOnly(
                        entry(EmojiCorpus.SKIP_NO_NAME, 11L),
                        entry(EmojiCorpus.SKIP_IMAGE_MISSING, 5L));

        EmojiCorpus facebook =
                EmojiCorpus.open(data, google().toBuilder().vendors(List.of("facebook")).build());
        assertThat(facebook.skipped())
                .containsOnly(
                        entry(EmojiCorpus.SKIP_NO_NAME, 11L),
                        entry(EmojiCorpus.SKIP_NOT_DRAWN, 5L));
        assertThat(byId(facebook)).containsKey("emoji:facebook:1f9a9:de:0").hasSize(14);
    }

    @Test
    void catalogueOrderIsUnicodeOrderAndShuffledOrderIsFixedBySeed() {
        List<String> catalogue = ids(EmojiCorpus.open(data, google()));
        assertThat(catalogue.get(0)).startsWith("emoji:google:1f600:");
        assertThat(catalogue.subList(0, 5)).allMatch(id -> id.contains(":1f600:"));
        assertThat(catalogue.get(catalogue.size() - 1)).contains(":1f984:");

        EmojiCorpus.Config shuffled =
                google().toBuilder()
                        .vendors(EmojiData.TRAINING_VENDORS)
                        .order(EmojiCorpus.Order.SHUFFLED)
                        .build();
        List<String> a = ids(EmojiCorpus.open(data, shuffled));
        List<String> b = ids(EmojiCorpus.open(data, shuffled));
        List<String> c = ids(EmojiCorpus.open(data, shuffled.toBuilder().seed(7).build()));
        List<String> all =
                ids(
                        EmojiCorpus.open(
                                data,
                                shuffled.toBuilder().order(EmojiCorpus.Order.CATALOGUE).build()));
        assertThat(a).hasSize(44).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(all);
        assertThat(a).containsExactlyInAnyOrderElementsOf(all);
        // vendors are mixed, not one after the other
        assertThat(a.subList(0, 15)).anyMatch(id -> !id.startsWith(a.get(0).substring(0, 10)));
    }

    @Test
    void skinToneVariantsAreOptional() {
        Map<String, RawPair> pairs =
                byId(EmojiCorpus.open(data, google().toBuilder().skinTones(true).build()));
        assertThat(pairs).hasSize(16);
        RawPair light = pairs.get("emoji:google:1f44b-1f3fb:de:0");
        assertThat(light.getAltText()).isEqualTo("winkende Hand: helle Hautfarbe");
        assertThat(light.getAttributes())
                .containsEntry("class", "1f44b-1f3fb")
                .containsEntry("base_class", "1f44b")
                .containsEntry("category", "People & Body");
        assertThat(bytes(light.getImage()))
                .isEqualTo(EmojiFixture.png("google", "1f44b-1f3fb.png"));
    }

    @Test
    void keywordPairsAreOptional() {
        Map<String, RawPair> pairs =
                byId(EmojiCorpus.open(data, google().toBuilder().keywordPairs(true).build()));
        assertThat(pairs).hasSize(28);
        RawPair keywords = pairs.get("emoji:google:1f600:en:1");
        assertThat(keywords.getAltText()).isEqualTo("face | grin");
        assertThat(keywords.getAttributes()).containsEntry("text_kind", "keywords");
    }

    @Test
    void selectsLocalesGivenAsCldrIdsOrLanguageTags() {
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data,
                        google().toBuilder().locales(List.of("pt_PT", "zh-hant", "de")).build());
        assertThat(corpus.locales()).containsExactly("pt-PT", "zh-Hant", "de");
        assertThat(byId(corpus).values())
                .extracting(RawPair::getLangHint)
                .containsOnly("pt-PT", "zh-Hant", "de");
        assertThat(corpus.expectedPairs()).isEqualTo(2 + 5);
    }

    @Test
    void refusesUnknownLocalesNamingThem() {
        assertThatThrownBy(
                        () ->
                                EmojiCorpus.open(
                                        data,
                                        google().toBuilder()
                                                .locales(List.of("en", "xx-YY"))
                                                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[xx-YY]")
                .hasMessageContaining("zh-Hant");
    }

    @Test
    void neverImportsTheHeldOutVendorForTraining() {
        assertThatThrownBy(
                        () ->
                                EmojiCorpus.Config.builder()
                                        .vendors(List.of("google", "twitter"))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'twitter'")
                .hasMessageContaining("held-out")
                .hasMessageContaining("EmojiEvalSet");
        assertThatThrownBy(() -> google().toBuilder().vendors(List.of("samsung")).build())
                .hasMessageContaining("unknown emoji vendor 'samsung'");
    }

    @Test
    void importToHandsEveryPairOverAndReportsProgressAndCounts() {
        EmojiCorpus corpus =
                EmojiCorpus.open(
                        data, google().toBuilder().vendors(EmojiData.TRAINING_VENDORS).build());
        List<RawPair> sink = new ArrayList<>();
        List<long[]> progress = new ArrayList<>();

        ImportStats stats =
                corpus.importTo(sink::add, (done, total) -> progress.add(new long[] {done, total}));

        assertThat(sink).hasSize(44);
        assertThat(stats.pairs()).isEqualTo(44);
        assertThat(stats.importer()).isEqualTo("emoji");
        assertThat(stats.perSource())
                .containsOnly(
                        entry("emoji:google", 14L),
                        entry("emoji:apple", 16L),
                        entry("emoji:facebook", 14L));
        assertThat(stats.perLanguage())
                .containsEntry("en", 3 * 5L + 1)
                .containsEntry("zh-Hant", 3L)
                .containsEntry("pt-PT", 3L);
        assertThat(stats.skipped())
                .containsOnly(
                        entry(EmojiCorpus.SKIP_NO_NAME, 11L + 14 + 11),
                        entry(EmojiCorpus.SKIP_IMAGE_MISSING, 5L),
                        entry(EmojiCorpus.SKIP_NOT_DRAWN, 5L));
        assertThat(progress.get(0)).containsExactly(0, 44);
        assertThat(progress.get(progress.size() - 1)).containsExactly(44, 44);
        assertThat(progress).hasSize(45);
    }

    @Test
    void pairsSurviveTheAvroRoundTrip() {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        Iterator<RawPair> it = EmojiCorpus.open(data, google()).pairs();
        RawPair pair = it.next();
        RawPair back = serde.decode(serde.encode(pair));
        assertThat(back).isEqualTo(pair);
        assertThat(bytes(back.getImage())).isEqualTo(bytes(pair.getImage()));
        // encoding did not consume the shared image bytes
        assertThat(serde.decode(serde.encode(pair))).isEqualTo(pair);
    }

    @Test
    void saysHowToFetchAMissingPackage() {
        EmojiData empty = EmojiData.at(dir.resolve("empty"));
        assertThatThrownBy(() -> EmojiCorpus.open(empty, google()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("emoji-datasource-google-16.0.0.tgz")
                .hasMessageContaining("npm pack emoji-datasource-google@16.0.0");
    }

    private static List<String> ids(EmojiCorpus corpus) {
        List<String> ids = new ArrayList<>();
        corpus.pairs().forEachRemaining(p -> ids.add(p.getId()));
        return ids;
    }
}
