package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.curate.PerceptualHash;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThumbnailSumsTest {
    private static final int LENGTH = 16 * 16 * 3;

    @Test
    void neverRulesOutAPairWithinTheDistance() {
        Random random = new Random(7);
        int ruledOut = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] a = new byte[LENGTH];
            random.nextBytes(a);
            byte[] b = a.clone();
            // Change some bytes by some amount: from identical to far apart.
            int changes = random.nextInt(LENGTH);
            int amount = random.nextInt(256);
            for (int i = 0; i < changes; i++) {
                b[random.nextInt(LENGTH)] += (byte) amount;
            }
            double distance = PerceptualHash.thumbnailDistance(a, b);
            double max = random.nextDouble() * 0.2;
            boolean farther =
                    ThumbnailSums.fartherThan(
                            ThumbnailSums.of(a), ThumbnailSums.of(b), LENGTH, max);
            if (farther) {
                ruledOut++;
                assertThat(distance).as("trial %d", trial).isGreaterThan(max);
            }
        }
        assertThat(ruledOut).as("the bound rules some pairs out").isGreaterThan(100);
    }

    @Test
    void differentColoursAreRuledOutAndIdenticalThumbnailsAreNot() {
        byte[] red = new byte[LENGTH];
        byte[] blue = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i += 3) {
            red[i] = (byte) 200;
            blue[i + 2] = (byte) 200;
        }
        assertThat(
                        ThumbnailSums.fartherThan(
                                ThumbnailSums.of(red), ThumbnailSums.of(blue), LENGTH, 0.014))
                .isTrue();
        assertThat(
                        ThumbnailSums.fartherThan(
                                ThumbnailSums.of(red), ThumbnailSums.of(red), LENGTH, 0.0))
                .isFalse();
    }

    @Test
    void aThumbnailTooLargeToSummariseRulesNothingOut() {
        byte[] big = new byte[ThumbnailSums.MAX_BYTES + 3];
        byte[] other = new byte[big.length];
        java.util.Arrays.fill(other, (byte) 255);
        assertThat(
                        ThumbnailSums.fartherThan(
                                ThumbnailSums.of(big), ThumbnailSums.of(other), big.length, 0.0))
                .isFalse();
    }
}
