package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.PixelFormat;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExampleBuilderTest {
    private static final Instant CRAWLED = Instant.parse("2025-03-04T05:06:07Z");

    @Test
    void buildsRawPixelsTokensAndProvenance() throws Exception {
        RawPair raw = new SyntheticPairs(64).pairs(1, 9).next();
        CuratedPair curated = curated(raw, "红色的圆形", "zh");
        Example example = new ExampleBuilder(TokenizeConfig.defaults()).build(curated).value();

        assertThat(example.getId()).isEqualTo(raw.getId());
        assertThat(example.getLang()).isEqualTo("zh");
        assertThat(example.getCaption()).isEqualTo("红色的圆形");
        assertThat(example.getImageFormat()).isEqualTo(PixelFormat.RGB8_HWC);
        assertThat(example.getImageSize()).isEqualTo(32);
        assertThat(bytes(example.getImage()))
                .hasSize(32 * 32 * 3)
                .isEqualTo(new ImagePreprocessor(32).process(bytes(raw.getImage())));
        int[] expected = new ByteTokenizer(64).encode("红色的圆形");
        assertThat(example.getTokenIds()).containsExactlyElementsOf(boxed(expected));
        assertThat(example.getTokenIds()).hasSize(5 * 3 + 1).endsWith(ByteTokenizer.EOS);
        assertThat(example.getTokenizerVersion()).isEqualTo("bytes-v1");
        assertThat(example.getSourceTime()).isEqualTo(CRAWLED);
        assertThat(example.getRenderedText()).isNull();
        assertThat(example.getSource()).isEqualTo(raw.getSource());
        assertThat(example.getModelVersion()).isNull();
    }

    @Test
    void carriesTheScoringModelVersionAndBoundsIt() throws Exception {
        RawPair raw = new SyntheticPairs(64).pairs(1, 9).next();
        CuratedPair scored = curated(raw, "a red circle", "en");
        scored.put("crossmodal_score", 0.25f);
        scored.put("model_version", "run-1/step-00000200");
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        Example example = builder.build(scored).value();
        assertThat(example.getId()).isEqualTo(raw.getId());
        assertThat(example.getSource()).isEqualTo(raw.getSource());
        assertThat(example.getModelVersion()).isEqualTo("run-1/step-00000200");

        scored.put(
                "model_version",
                "v".repeat(io.streamlip.platform.bounds.RecordBounds.MAX_MODEL_VERSION_CHARS + 1));
        assertThat(reason(builder.build(scored))).isEqualTo(RejectReason.FIELD_TOO_LARGE);
        RawPair longSource = RawPair.newBuilder(raw).setSource("s".repeat(257)).build();
        assertThat(reason(builder.build(curated(longSource, "a red circle", "en"))))
                .isEqualTo(RejectReason.FIELD_TOO_LARGE);
    }

    @Test
    void compositesAlphaOntoWhiteAndResizes() {
        BufferedImage image = new BufferedImage(48, 24, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, 24, 24); // left half opaque blue, right half transparent
        g.dispose();
        Example example =
                new ExampleBuilder(TokenizeConfig.builder().imageSize(8).build())
                        .build(curated(raw(Images.png(image)), "half blue", "en"))
                        .value();
        byte[] rgb = bytes(example.getImage());
        assertThat(rgb).hasSize(8 * 8 * 3);
        int row = 4 * 8 * 3;
        assertThat(Arrays.copyOfRange(rgb, row, row + 3)).containsExactly(0, 0, (byte) 255);
        int right = row + 7 * 3;
        assertThat(Arrays.copyOfRange(rgb, right, right + 3))
                .containsExactly((byte) 255, (byte) 255, (byte) 255);
    }

    @Test
    void pngFormatReEncodesTheResizedImage() throws Exception {
        RawPair raw = new SyntheticPairs(64).pairs(1, 3).next();
        TokenizeConfig config = TokenizeConfig.builder().pixelFormat(PixelFormat.PNG).build();
        Example example = new ExampleBuilder(config).build(curated(raw, "a shape", "en")).value();
        assertThat(example.getImageFormat()).isEqualTo(PixelFormat.PNG);
        BufferedImage decoded = Images.decode(bytes(example.getImage()));
        assertThat(decoded.getWidth()).isEqualTo(32);
        assertThat(new ImagePreprocessor(32).toRgb(decoded))
                .isEqualTo(new ImagePreprocessor(32).process(bytes(raw.getImage())));
    }

    @Test
    void cutsLongCaptionsAtMaxTokens() {
        String caption = "ü".repeat(100);
        Example example =
                new ExampleBuilder(TokenizeConfig.builder().maxTokens(10).build())
                        .build(curated(new SyntheticPairs(16).pairs(1, 1).next(), caption, "de"))
                        .value();
        assertThat(example.getTokenIds()).hasSize(9); // four 2-byte characters + EOS
        assertThat(example.getCaption()).isEqualTo(caption);
    }

    @Test
    void refusesWhatTheFilterShouldHaveCaught() {
        ExampleBuilder builder = new ExampleBuilder(TokenizeConfig.defaults());
        byte[] garbage = "not an image".getBytes(StandardCharsets.UTF_8);
        assertThat(reason(builder.build(curated(raw(garbage), "x y", "en"))))
                .isEqualTo(RejectReason.IMAGE_UNDECODABLE);
        assertThat(reason(builder.build(curated(raw(null), "x y", "en"))))
                .isEqualTo(RejectReason.IMAGE_MISSING);
        RawPair ok = new SyntheticPairs(16).pairs(1, 1).next();
        assertThat(reason(builder.build(curated(ok, " ", "en"))))
                .isEqualTo(RejectReason.CAPTION_EMPTY);
    }

    static RejectReason reason(Verdict<?> verdict) {
        assertThat(verdict).isInstanceOf(Verdict.Refused.class);
        return ((Verdict.Refused<?>) verdict).reason();
    }

    static RawPair raw(byte[] image) {
        return RawPair.newBuilder()
                .setId("test")
                .setImage(image == null ? null : ByteBuffer.wrap(image))
                .setAltText("unused")
                .setSource("test")
                .setCrawlTime(CRAWLED)
                .build();
    }

    static CuratedPair curated(RawPair raw, String caption, String lang) {
        RawPair crawled = RawPair.newBuilder(raw).setCrawlTime(CRAWLED).build();
        return CuratedPair.newBuilder()
                .setPair(crawled)
                .setCaption(caption)
                .setLang(lang)
                .setImageFormat("png")
                .setImageWidth(0)
                .setImageHeight(0)
                .setImageSha256("")
                .setCuratedTime(CRAWLED.plusSeconds(1))
                .build();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    static java.util.List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
