package io.streamlip.filter.curate;

import static io.streamlip.filter.curate.ImageValidityTest.reason;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import java.nio.ByteBuffer;
import java.text.Normalizer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PairCuratorTest {
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    private final PairCurator curator = new PairCurator(FilterConfig.defaults());

    @Test
    void fillsWhatCurationLearned() {
        RawPair raw = new SyntheticPairs(64).pairs(1, 5).next();
        CuratedPair curated = curator.curate(raw, NOW).value();
        assertThat(curated.getPair()).isEqualTo(raw);
        assertThat(curated.getCaption()).isEqualTo(raw.getAltText());
        assertThat(curated.getLang()).isEqualTo(raw.getLangHint());
        assertThat(curated.getLangConfidence()).isBetween(0f, 1f);
        assertThat(curated.getTextQuality()).isGreaterThan(0.5f);
        assertThat(curated.getImageFormat()).isEqualTo("png");
        assertThat(curated.getImageWidth()).isEqualTo(64);
        assertThat(curated.getImageHeight()).isEqualTo(64);
        assertThat(curated.getImageSha256())
                .isEqualTo(DuplicateKey.sha256Hex(PairCurator.bytes(raw.getImage())));
        assertThat(curated.getCuratedTime()).isEqualTo(NOW);
        assertThat(curated.getPhash()).isNotNull();
    }

    @Test
    void normalisesTheCaptionAndMarksAMissingHintUndetermined() {
        RawPair withHint =
                pair(
                        TestImages.png(32, 32),
                        Normalizer.normalize(" Carré  rouge ", Normalizer.Form.NFD));
        RawPair raw = RawPair.newBuilder(withHint).setLangHint(null).build();
        CuratedPair curated = curator.curate(raw, NOW).value();
        assertThat(curated.getCaption()).isEqualTo("Carré rouge");
        // No hint: Lingua's choice when it is confident, else undetermined.
        assertThat(curated.getLang()).isIn("und", "fr");
    }

    @Test
    void refusesBadImagesAndCaptions() {
        assertThat(reason(curator.curate(pair(TestImages.png(32, 32), " \n "), NOW)))
                .isEqualTo(RejectReason.CAPTION_EMPTY);
        assertThat(reason(curator.curate(pair(TestImages.randomBytes(100, 1), "a cat"), NOW)))
                .isEqualTo(RejectReason.IMAGE_UNDECODABLE);
        assertThat(
                        reason(
                                curator.curate(
                                        pair(TestImages.pngHeaderOnly(50_000, 50_000), "bomb"),
                                        NOW)))
                .isEqualTo(RejectReason.IMAGE_TOO_LARGE);
        RawPair urlOnly =
                RawPair.newBuilder(pair(null, "a cat"))
                        .setImageUrl("https://example.org/cat.png")
                        .build();
        assertThat(reason(curator.curate(urlOnly, NOW))).isEqualTo(RejectReason.IMAGE_MISSING);
    }

    @Test
    void sameImageWithAnotherCaptionHasAnotherDuplicateKey() {
        byte[] image = TestImages.png(32, 32);
        String a =
                PairCurator.duplicateKey(curator.curate(pair(image, "a red circle"), NOW).value());
        String b =
                PairCurator.duplicateKey(
                        curator.curate(pair(image, "a  red circle "), NOW).value());
        String c =
                PairCurator.duplicateKey(curator.curate(pair(image, "Kreis in Rot"), NOW).value());
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void oneCuratorReusingItsBuffersFingerprintsAsFreshBuffersDo() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        java.util.List<byte[]> images = new java.util.ArrayList<>();
        for (int side : new int[] {64, 64, 48, 200, 64, 33}) {
            images.add(
                    io.streamlip.platform.image.Images.png(
                            TestImages.alphaNoise(side, side + 3, random)));
            images.add(
                    io.streamlip.platform.image.Images.png(
                            TestImages.shapes(
                                    side,
                                    side,
                                    java.awt.image.BufferedImage.TYPE_INT_ARGB,
                                    random)));
        }
        images.add(TestImages.jpeg(640, 480));
        images.add(TestImages.png(64, 64));
        ImageValidity validity = new ImageValidity(FilterConfig.defaults());
        PairCurator reused = PairCurator.withoutEvalSets(FilterConfig.defaults());
        for (int round = 0; round < 2; round++) {
            for (byte[] image : images) {
                // The path before buffers were kept: a fresh decode, a fresh scratch.
                PerceptualHash.Fingerprint fresh =
                        PerceptualHash.fingerprint(validity.decode(image).value().image());
                PairCurator.Curated curated =
                        reused.curateWithThumbnail(pair(image, "a picture of noise"), NOW).value();
                assertThat(curated.pair().getPhash()).isEqualTo(fresh.phash());
                assertThat(curated.thumbnail()).containsExactly(fresh.thumbnail());
            }
        }
    }

    static RawPair pair(byte[] image, String caption) {
        return RawPair.newBuilder()
                .setId("test-" + caption.hashCode())
                .setImage(image == null ? null : ByteBuffer.wrap(image))
                .setAltText(caption)
                .setSource("test")
                .setCrawlTime(NOW)
                .setLangHint("en")
                .build();
    }
}
