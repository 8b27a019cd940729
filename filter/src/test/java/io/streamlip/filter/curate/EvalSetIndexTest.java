package io.streamlip.filter.curate;

import static io.streamlip.filter.curate.FilterTestRecords.icon;
import static io.streamlip.filter.curate.FilterTestRecords.opaque;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation-set decontamination: a pHash match confirmed by the colour thumbnail. */
class EvalSetIndexTest {
    static final NearDuplicateConfig CONFIG = NearDuplicateConfig.defaults();

    @Test
    void aShiftedFlattenedCopyOfAnEvaluationImageIsRefused() throws Exception {
        BufferedImage eval = icon(Color.RED, true, 0);
        BufferedImage copy = Images.decode(Images.png(opaque(icon(Color.RED, true, 2))));
        EvalSetIndex index = index(eval, PerceptualHash.of(eval));

        Verdict<Long> verdict =
                index.check(PerceptualHash.of(copy), PerceptualHash.thumbnail(copy));

        assertThat(verdict).isInstanceOf(Verdict.Refused.class);
        assertThat(((Verdict.Refused<Long>) verdict).reason())
                .isEqualTo(RejectReason.EVAL_CONTAMINATION);
        assertThat(((Verdict.Refused<Long>) verdict).detail()).contains("thumbnail distance");
    }

    @Test
    void anotherImageWhoseHashCollidesIsKeptByTheThumbnail() {
        BufferedImage eval = icon(Color.RED, true, 0);
        BufferedImage other = icon(new Color(0, 120, 255), false, 0);
        // Force the collision: the evaluation image stored under the other image's very hash.
        long collidingHash = PerceptualHash.of(other);
        EvalSetIndex index = index(eval, collidingHash);

        assertThat(
                        PerceptualHash.thumbnailDistance(
                                PerceptualHash.thumbnail(eval), PerceptualHash.thumbnail(other)))
                .isGreaterThan(CONFIG.evalMaxThumbnailDistance());
        assertThat(index.check(collidingHash, PerceptualHash.thumbnail(other)).accepted()).isTrue();
    }

    @Test
    void anImageFarInHashIsNotEvenThumbnailed() {
        BufferedImage eval = icon(Color.RED, true, 0);
        EvalSetIndex index = index(eval, 0L);
        // All 64 bits differ: no candidate, accepted (the thumbnail is never compared).
        assertThat(index.check(-1L, null).accepted()).isTrue();
    }

    @Test
    void aCropOfAnIconThatFillsItsCanvasIsRefusedThroughTheIndexedCrops(@TempDir Path folder)
            throws Exception {
        // Ink up to every edge: a crop cuts it, and the hash's ink window moves.
        BufferedImage eval = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = eval.createGraphics();
        g.setColor(new Color(250, 200, 40));
        g.fillOval(-2, -2, 68, 68);
        g.setColor(new Color(90, 40, 10));
        g.fillRect(0, 20, 14, 30);
        g.fillOval(40, 0, 24, 18);
        g.dispose();
        Files.createDirectories(folder.resolve("images"));
        Files.write(folder.resolve("images/face.png"), Images.png(eval));
        Files.writeString(
                folder.resolve("pairs.jsonl"),
                "{\"image\": \"images/face.png\", \"text\": \"a face\", \"lang\": \"en\","
                        + " \"class\": \"face\"}\n");
        NearDuplicateConfig config =
                CONFIG.toBuilder().evalSets(List.of(folder.toString())).build();
        BufferedImage crop = Images.decode(Images.png(eval.getSubimage(3, 3, 58, 58)));
        PerceptualHash.Fingerprint print = PerceptualHash.fingerprint(crop);

        List<EvalSetIndex.Entry> entries = EvalSetIndex.entries(config);
        assertThat(entries).hasSize(1 + NearDuplicateConfig.defaults().evalCropPixels());
        assertThat(entries.get(3).name()).endsWith("cropped by 3 px a side");
        Verdict<Long> verdict =
                EvalSetIndex.of(entries, config).check(print.phash(), print.thumbnail());
        assertThat(verdict.accepted()).isFalse();
        assertThat(((Verdict.Refused<Long>) verdict).detail()).contains("cropped by 3 px");
        // The whole image alone lies further from the crop than its own crop does.
        List<EvalSetIndex.Entry> whole =
                EvalSetIndex.entries(config.toBuilder().evalCropPixels(0).build());
        assertThat(whole).hasSize(1);
        assertThat(PerceptualHash.thumbnailDistance(print.thumbnail(), whole.get(0).thumbnail()))
                .isGreaterThan(
                        PerceptualHash.thumbnailDistance(
                                print.thumbnail(), entries.get(3).thumbnail()));
    }

    static EvalSetIndex index(BufferedImage eval, long hash) {
        return new EvalSetIndex(
                new long[] {hash},
                new byte[][] {PerceptualHash.thumbnail(eval)},
                new String[] {"eval-0"},
                CONFIG.evalMaxDistance(),
                CONFIG.evalMaxThumbnailDistance());
    }
}
