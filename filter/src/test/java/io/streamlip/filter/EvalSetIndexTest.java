package io.streamlip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.image.Images;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

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

    static EvalSetIndex index(BufferedImage eval, long hash) {
        return new EvalSetIndex(
                new long[] {hash},
                new byte[][] {PerceptualHash.thumbnail(eval)},
                new String[] {"eval-0"},
                CONFIG.evalMaxDistance(),
                CONFIG.evalMaxThumbnailDistance());
    }

    /** A filled disc or square on transparent ground, shifted by {@code shift} pixels. */
    static BufferedImage icon(Color colour, boolean disc, int shift) {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        if (disc) {
            g.fillOval(12 + shift, 12 + shift, 40, 40);
        } else {
            g.fillRect(12 + shift, 12 + shift, 40, 40);
        }
        g.dispose();
        return image;
    }

    static BufferedImage opaque(BufferedImage image) {
        BufferedImage out = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 64);
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }
}
