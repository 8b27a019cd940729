package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PerceptualHashTest {

    @Test
    void thumbnailWithinDecidesExactlyAsTheDistanceDoes() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] a = new byte[768];
            byte[] b = new byte[768];
            random.nextBytes(a);
            System.arraycopy(a, 0, b, 0, a.length);
            // From a near copy to a far one; differences anywhere, also only in the last row.
            int changes = random.nextInt(1 + random.nextInt(768));
            for (int c = 0; c < changes; c++) {
                int at = trial % 3 == 0 ? 720 + random.nextInt(48) : random.nextInt(768);
                b[at] = (byte) (b[at] + random.nextInt(1, 256));
            }
            double d = PerceptualHash.thumbnailDistance(a, b);
            for (double max :
                    new double[] {d, Math.nextDown(d), Math.nextUp(d), 0.011, 0.014, 0, 1}) {
                assertThat(PerceptualHash.thumbnailWithin(a, b, max))
                        .as("distance %s, max %s", d, max)
                        .isEqualTo(d <= max);
            }
        }
    }

    /** Translucent discs and boxes on a transparent ground, in every alpha from 0 to 255. */
    private static BufferedImage translucent(int type, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(64, 64, type);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int alpha = (x * 4 + y) & 0xff;
                image.setRGB(x, y, alpha << 24 | random.nextInt(1 << 24));
            }
        }
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(200, 30, 40, 255));
        g.fillOval(10, 12, 30, 26);
        g.dispose();
        return image;
    }

    @Test
    void compositingOntoWhiteMatchesJava2dBitForBit() throws Exception {
        // The hash composites alpha arithmetically; it must agree with drawing the image onto
        // white (how it was computed before, and how a JPEG re-encoding of the image looks).
        for (int type : new int[] {BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR}) {
            for (long seed = 0; seed < 3; seed++) {
                BufferedImage image = translucent(type, seed);
                BufferedImage decoded = Images.decode(Images.png(image));
                PerceptualHash.Fingerprint direct = PerceptualHash.fingerprint(decoded);
                PerceptualHash.Fingerprint drawn =
                        PerceptualHash.fingerprint(PerceptualHash.flatten(decoded));
                assertThat(direct.phash())
                        .as("type %d seed %d", type, seed)
                        .isEqualTo(drawn.phash());
                assertThat(direct.thumbnail()).isEqualTo(drawn.thumbnail());
            }
        }
    }

    @Test
    void fingerprintIsTheHashAndTheThumbnail() {
        BufferedImage image = translucent(BufferedImage.TYPE_4BYTE_ABGR, 9);
        PerceptualHash.Fingerprint print = PerceptualHash.fingerprint(image);
        assertThat(print.phash()).isEqualTo(PerceptualHash.of(image));
        assertThat(print.thumbnail()).isEqualTo(PerceptualHash.thumbnail(image));
        BufferedImage part = image.getSubimage(5, 7, 40, 41);
        assertThat(PerceptualHash.fingerprint(part).phash()).isEqualTo(PerceptualHash.of(part));
    }
}
