package io.streamlip.filter.curate;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.Fuzz;
import io.streamlip.platform.image.FuzzImages;
import io.streamlip.schemas.Verdict;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The curate path's image half (validity, decode, fingerprint) on thousands of hostile inputs
 * ({@link FuzzImages}): each ends accepted with a fingerprint or refused with a reason, none
 * throws, and none allocates more than the decode bound allows, whatever size its header claims.
 */
class ImageFuzzTest {
    /** A small bound, so an allocation that follows a claimed size instead stands out. */
    static final long MAX_DECODED_PIXELS = 64 * 64;

    /** Headers may claim up to this much and still reach the decoder. */
    static final FilterConfig CONFIG =
            FilterConfig.builder()
                    .minImageSide(1)
                    .maxImagePixels(16_000_000L)
                    .maxAspectRatio(1_000_000.0)
                    .maxDecodedPixels(MAX_DECODED_PIXELS)
                    .build();

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ImageValidity validity = new ImageValidity(CONFIG);

    /**
     * The most one case may allocate: the raster and the fingerprint's working memory (at most 8 +
     * 12 bytes a pixel), a decoder's rows (at most 3 rows of 8 bytes a pixel of at most bound / 8
     * pixels), copies of the input (a stream cache, a buffer), and a fixed 2 MiB for the decoder
     * objects and the 64 KiB inflate buffer.
     */
    static long allowedBytes(long inputBytes) {
        return MAX_DECODED_PIXELS * (8 + 12 + 3) + 4 * inputBytes + (2L << 20);
    }

    @BeforeAll
    static void warmUp() {
        // Class loading and ImageIO's service registry allocate once; not per case.
        ImageValidity validity = new ImageValidity(CONFIG);
        for (byte[] image : FuzzImages.seedImages()) {
            Verdict<ImageValidity.ValidImage> v = validity.decode(image);
            assertThat(v.accepted()).isTrue();
            PerceptualHash.fingerprint(v.value().image());
        }
        for (long seed = 0; seed < 200; seed++) {
            validity.decode(FuzzImages.sample(seed));
        }
    }

    @Test
    void everyImageEndsAcceptedOrRefusedWithinTheBound() {
        Fuzz.run(
                "ImageFuzzTest.everyImageEndsAcceptedOrRefusedWithinTheBound",
                2000,
                20261206L,
                (i, random) -> check(random.nextLong()));
    }

    private void check(long seed) {
        byte[] bytes = FuzzImages.sample(seed);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Verdict<ImageValidity.ValidImage> verdict = validity.decode(bytes);
        if (verdict instanceof Verdict.Refused<ImageValidity.ValidImage> refused) {
            assertThat(refused.reason()).isNotNull();
            assertThat(refused.detail()).isNotBlank();
        } else {
            java.awt.image.BufferedImage image = verdict.value().image();
            assertThat((long) image.getWidth() * image.getHeight())
                    .isLessThanOrEqualTo(MAX_DECODED_PIXELS);
            PerceptualHash.Fingerprint print = PerceptualHash.fingerprint(image);
            assertThat(print.thumbnail()).hasSize(16 * 16 * 3);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated)
                .as("bytes allocated for a case of %d bytes: %s", bytes.length, verdict)
                .isLessThanOrEqualTo(allowedBytes(bytes.length));
    }
}
