package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.platform.Fuzz;
import io.streamlip.platform.image.FuzzImages;
import io.streamlip.platform.image.Images;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenize path's image half ({@link ImagePreprocessor#process}: decode and resize) on
 * thousands of hostile inputs ({@link FuzzImages}): each ends as pixels or as an {@link
 * Images.UndecodableImageException} with a message (the stage's reject), nothing else is thrown,
 * and no case allocates more than the decode bound allows.
 */
class ImagePreprocessorFuzzTest {
    static final int SIZE = 32;
    static final long MAX_DECODED_PIXELS = 64 * 64;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(SIZE, MAX_DECODED_PIXELS);

    /**
     * The raster (at most 8 bytes a pixel), the ARGB copy and three float planes (16 bytes a
     * pixel), a decoder's rows, copies of the input and a fixed 2 MiB.
     */
    static long allowedBytes(long inputBytes) {
        return MAX_DECODED_PIXELS * (8 + 16 + 3) + 4 * inputBytes + (2L << 20);
    }

    @BeforeAll
    static void warmUp() throws Exception {
        ImagePreprocessor preprocessor = new ImagePreprocessor(SIZE, MAX_DECODED_PIXELS);
        for (byte[] image : FuzzImages.seedImages()) {
            assertThat(preprocessor.process(image)).hasSize(SIZE * SIZE * 3);
        }
        for (long seed = 0; seed < 200; seed++) {
            try {
                preprocessor.process(FuzzImages.sample(seed));
            } catch (Images.UndecodableImageException e) {
                // a refusal: what the warm-up expects of many
            }
        }
    }

    @Test
    void everyImageEndsAsPixelsOrARefusalWithinTheBound() {
        Fuzz.run(
                "ImagePreprocessorFuzzTest.everyImageEndsAsPixelsOrARefusalWithinTheBound",
                2000,
                20261206L,
                (i, random) -> check(random.nextLong()));
    }

    private void check(long seed) {
        byte[] bytes = FuzzImages.sample(seed);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String outcome;
        try {
            byte[] rgb = preprocessor.process(bytes);
            assertThat(rgb).hasSize(SIZE * SIZE * 3);
            outcome = "pixels";
        } catch (Images.UndecodableImageException e) {
            assertThat(e.getMessage()).isNotBlank();
            outcome = e.getMessage();
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated)
                .as("bytes allocated for a case of %d bytes: %s", bytes.length, outcome)
                .isLessThanOrEqualTo(allowedBytes(bytes.length));
    }
}
