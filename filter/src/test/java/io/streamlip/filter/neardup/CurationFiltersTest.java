package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.LanguageQuota;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.config.TextQualityConfig;
import io.streamlip.filter.curate.FilterTestRecords;
import io.streamlip.filter.curate.ImageValidity;
import io.streamlip.filter.curate.LanguageCheck;
import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.filter.curate.TextQuality;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The curation filters added for issue 3, without Flink. */
class CurationFiltersTest {
    static RejectReason reason(Verdict<?> verdict) {
        return verdict instanceof Verdict.Refused<?> r ? r.reason() : null;
    }

    @Test
    void textQualityRefusesBoilerplateBlocklistAndInvalidUtf8() {
        TextQuality quality =
                new TextQuality(TextQualityConfig.builder().blocklist(List.of("Casino")).build());
        for (String boilerplate :
                List.of(
                        "IMG_0042.jpg",
                        "spacer.gif",
                        "click here",
                        "Click here to enlarge",
                        "see https://example.com/a.png",
                        "www.example.org/gallery/12",
                        "aaaaaaaa",
                        "!!!!!!!!!!",
                        "thumbnail")) {
            assertThat(reason(quality.check(boilerplate)))
                    .as(boilerplate)
                    .isEqualTo(RejectReason.CAPTION_BOILERPLATE);
        }
        for (String fine :
                List.of(
                        "grinning face",
                        "Kreis in Rot",
                        "红色的圆形",
                        "drapeau : France",
                        "100 points")) {
            assertThat(quality.check(fine).accepted()).as(fine).isTrue();
        }
        assertThat(reason(quality.check("best online casino")))
                .isEqualTo(RejectReason.CAPTION_BLOCKLISTED);
        // A genuine U+FFFD passes; invalid bytes do not (TextQualityEncodingTest).
        assertThat(quality.checkEncoding("caf\uFFFD au lait", null).accepted()).isTrue();
        assertThat(quality.check("abc 123").value()).isBetween(0.4f, 0.5f);
    }

    @Test
    void languageCheckRefusesOnlyConfidentMismatches() {
        LanguageCheck check = new LanguageCheck(LanguageConfig.defaults());
        // Another script than the declared language's: sure.
        assertThat(reason(check.check("笑顔の猫", "de"))).isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        assertThat(reason(check.check("улыбающееся лицо", "en")))
                .isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        assertThat(reason(check.check("bar chart", "ko")))
                .isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        assertThat(reason(check.check("Hund", "ru"))).isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        // ... but an acronym in Latin capitals is how every language writes it (CLDR's Korean name
        // of the ATM emoji is "ATM", its Greek name of the toilet sign "WC").
        assertThat(check.check("ATM", "ko").accepted()).isTrue();
        assertThat(check.check("WC", "el").accepted()).isTrue();
        assertThat(reason(check.check("ATM WC", "ko"))).isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        assertThat(reason(check.check("UNESCO", "ru"))).isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        // Short names in a close language are not refused on Lingua's word.
        assertThat(check.check("cara sonriente", "pt").accepted()).isTrue();
        // Kanji-only Japanese is not taken for Chinese.
        assertThat(check.check("地球儀", "ja").accepted()).isTrue();
        // A long caption confidently in another Latin language is.
        assertThat(
                        reason(
                                check.check(
                                        "Das ist ein großes rotes Haus mit einem schönen Garten"
                                                + " und vielen Blumen",
                                        "en")))
                .isEqualTo(RejectReason.LANGUAGE_MISMATCH);
        LanguageCheck.Decision decision = check.check("a red circle on white", "en-GB").value();
        assertThat(decision.lang()).isEqualTo("en");
        // 17 letters: too short for Lingua to refuse, so by default not scored at all ...
        assertThat(decision.confidence()).isZero();
        // ... unless asked; a longer caption always is.
        LanguageCheck scoring =
                new LanguageCheck(LanguageConfig.builder().scoreShortCaptions(true).build());
        assertThat(scoring.check("a red circle on white", "en-GB").value().confidence())
                .isGreaterThan(0f);
        assertThat(
                        check.check("a red circle on a white ground with a blue border", "en")
                                .value()
                                .confidence())
                .isGreaterThan(0f);
        assertThat(check.check("anything", null).value().lang()).isIn("und", "en");
        assertThat(new LanguageCheck(LanguageConfig.disabled()).check("笑顔", "de").accepted())
                .isTrue();
    }

    @Test
    void perceptualHashIsStableUnderReencodingAndSeparatesImages() throws Exception {
        BufferedImage a = shapes(1);
        BufferedImage b = shapes(2);
        long ha = PerceptualHash.of(a);
        long jpeg = PerceptualHash.of(Images.decode(Images.encode(a, "jpeg")));
        BufferedImage bigger = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = bigger.createGraphics();
        g.drawImage(a, 0, 0, 96, 96, null);
        g.dispose();
        assertThat(PerceptualHash.distance(ha, jpeg)).isLessThanOrEqualTo(8);
        assertThat(PerceptualHash.distance(ha, PerceptualHash.of(bigger))).isLessThanOrEqualTo(8);
        assertThat(PerceptualHash.distance(ha, PerceptualHash.of(b))).isGreaterThan(8);
    }

    static BufferedImage shapes(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 64);
        for (int i = 0; i < 5; i++) {
            g.setColor(new Color(random.nextInt(1 << 24)));
            g.fillOval(
                    random.nextInt(40),
                    random.nextInt(40),
                    10 + random.nextInt(30),
                    10 + random.nextInt(30));
        }
        g.dispose();
        return image;
    }

    @Test
    void lshBandsFindEveryNeighbourWithinTheDistance() {
        LshBands bands = LshBands.forDistance(8);
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            long h = random.nextLong();
            long near = h;
            for (int f = 0; f < 8; f++) {
                near ^= 1L << random.nextInt(64);
            }
            long[] a = bands.keys(h);
            long[] b = bands.keys(near);
            boolean shared = false;
            for (int k = 0; k < a.length; k++) {
                shared |= a[k] == b[k];
            }
            assertThat(shared).isTrue();
        }
    }

    @Test
    void nearDuplicateIndexRefusesSameCaptionAndCapsClusters() throws Exception {
        NearDuplicateConfig config = NearDuplicateConfig.builder().clusterCap(3).build();
        NearDuplicateIndex index = new NearDuplicateIndex(config);
        BufferedImage image = FilterTestRecords.icon(Color.RED, true, 0);
        BufferedImage copy =
                Images.decode(
                        Images.png(
                                FilterTestRecords.opaque(
                                        FilterTestRecords.icon(Color.RED, true, 1))));
        long h = PerceptualHash.of(image);
        byte[] t = PerceptualHash.thumbnail(image);
        long near = PerceptualHash.of(copy);
        byte[] nearT = PerceptualHash.thumbnail(copy);
        assertThat(NearDuplicateIndex.isNearCopy(near, nearT, h, t, config)).isTrue();

        assertThat(index.admit(h, t, "a cat").accepted()).isTrue();
        assertThat(reason(index.admit(near, nearT, "a cat")))
                .isEqualTo(RejectReason.NEAR_DUPLICATE);
        assertThat(index.admit(near, nearT, "the cat").accepted()).isTrue();
        assertThat(index.admit(h, t, "my cat").accepted()).isTrue();
        assertThat(reason(index.admit(near, nearT, "our cat")))
                .isEqualTo(RejectReason.IMAGE_CLUSTER_CAP);
        assertThat(index.admit(~h, t, "a cat").accepted()).as("far in hash").isTrue();
    }

    @Test
    void languageQuotaCapsOneLanguageAndCountsOnlyWhatItAccepts() {
        LanguageQuota quota =
                new LanguageQuota(LanguageConfig.builder().caps(Map.of("en", 2L)).build());
        assertThat(quota.admit("en").accepted()).isTrue();
        assertThat(quota.admit("de").accepted()).isTrue();
        assertThat(quota.admit("en").accepted()).isTrue();
        Verdict<String> third = quota.admit("en");
        assertThat(reason(third)).isEqualTo(RejectReason.LANGUAGE_CAP);
        assertThat(((Verdict.Refused<String>) third).detail()).contains("'en'", "cap 2");
        for (int i = 0; i < 10; i++) {
            assertThat(quota.admit("de").accepted()).as("no cap on de").isTrue();
        }
        assertThat(reason(quota.admit("en"))).isEqualTo(RejectReason.LANGUAGE_CAP);
        assertThat(new LanguageQuota(LanguageConfig.defaults()).admit("en").accepted())
                .as("the default caps nothing")
                .isTrue();
    }

    @Test
    void nearDuplicateIndexKeepsAnotherImageWhoseHashCollides() {
        NearDuplicateConfig config = NearDuplicateConfig.defaults();
        NearDuplicateIndex index = new NearDuplicateIndex(config);
        BufferedImage red = FilterTestRecords.icon(Color.RED, true, 0);
        BufferedImage blue = FilterTestRecords.icon(new Color(0, 120, 255), true, 0);
        long h = PerceptualHash.of(red);
        byte[] blueT = PerceptualHash.thumbnail(blue);
        // Another vendor's drawing of the same emoji carries the same caption; with the hash
        // alone (forced equal here) it would be a near duplicate. Its thumbnail tells it apart.
        assertThat(
                        NearDuplicateIndex.isNearCopy(
                                h, blueT, h, PerceptualHash.thumbnail(red), config))
                .isFalse();
        assertThat(index.admit(h, PerceptualHash.thumbnail(red), "a disc").accepted()).isTrue();
        assertThat(index.admit(h, blueT, "a disc").accepted()).isTrue();
        assertThat(reason(index.admit(h, blueT, "a disc")))
                .as("but a copy of the blue one is")
                .isEqualTo(RejectReason.NEAR_DUPLICATE);
    }

    @Test
    void imageValidityNamesTruncationBeforeDecoding() {
        ImageValidity validity = new ImageValidity(FilterConfig.defaults());
        assertThat(reason(validity.check(TestImages.truncated(TestImages.png(64, 64), 0.7))))
                .isEqualTo(RejectReason.IMAGE_TRUNCATED);
        assertThat(reason(validity.check(TestImages.truncated(TestImages.jpeg(64, 64), 0.7))))
                .isEqualTo(RejectReason.IMAGE_TRUNCATED);
        assertThat(reason(validity.check(TestImages.randomBytes(500, 1))))
                .isEqualTo(RejectReason.IMAGE_UNDECODABLE);
        assertThat(validity.check(TestImages.jpeg(64, 64)).accepted()).isTrue();
        BufferedImage grey = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grey.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, 32, 32);
        g.dispose();
        assertThat(validity.decode(Images.png(grey)).value().image().getWidth()).isEqualTo(32);
    }
}
