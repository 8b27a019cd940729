package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.image.Images;
import io.streamlip.platform.image.LargeImages;
import io.streamlip.platform.image.TestImages;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tokenize path on the largest image the filter accepts (40 Mpx): it becomes an example, and
 * its decode and resize allocate within the decode bound, not in proportion to the image.
 */
@Tag("integration")
class LargeImageTokenizeTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void a40MegapixelImageBecomesAnExampleWithinTheDecodeBound() throws Exception {
        byte[] png = LargeImages.png(8000, 5000, true, 8, 3);
        ImagePreprocessor preprocessor = new ImagePreprocessor(32);
        preprocessor.process(TestImages.png(64, 64)); // warm up
        long before = THREADS.getCurrentThreadAllocatedBytes();
        byte[] rgb = preprocessor.process(png);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(rgb).hasSize(32 * 32 * 3);
        // Raster, ARGB copy and float planes: about 20 bytes a kept pixel, plus slack.
        assertThat(allocated)
                .isLessThan(Images.DEFAULT_MAX_DECODED_PIXELS * 20 + 2L * png.length + (8L << 20));

        RawPair raw = new SyntheticPairs(32).pairs(1, 5).next();
        CuratedPair curated =
                ExampleBuilderTest.curated(
                        RawPair.newBuilder(raw).setImage(ByteBuffer.wrap(png)).build(),
                        "a large checkerboard",
                        "en");
        Verdict<Example> example = new ExampleBuilder(TokenizeConfig.defaults()).build(curated);
        assertThat(example.accepted()).isTrue();
        assertThat(example.value().getImage().remaining()).isEqualTo(32 * 32 * 3);
    }
}
