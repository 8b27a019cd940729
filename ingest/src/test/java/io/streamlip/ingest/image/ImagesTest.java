package io.streamlip.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void probeReadsTheClaimedSizeWithoutDecoding() {
        byte[] bomb = TestImages.pngHeaderOnly(50_000, 50_000);
        var header = Images.probe(bomb).orElseThrow();
        assertThat(header.format()).isEqualTo("png");
        assertThat(header.pixels()).isEqualTo(2_500_000_000L);
        assertThatThrownBy(() -> Images.decode(bomb))
                .isInstanceOf(Images.UndecodableImageException.class);
    }

    @Test
    void probeAndDecodeAgreeOnRealImages() throws Exception {
        byte[] jpeg = Images.encode(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "jpeg");
        assertThat(Images.probe(jpeg).orElseThrow()).isEqualTo(new Images.Header("jpeg", 40, 30));
        assertThat(Images.decode(jpeg).getWidth()).isEqualTo(40);
        assertThat(Images.probe(new byte[] {0, 1, 2})).isEmpty();
    }

    @Test
    void decodeRefusesATruncatedJpegThatImageIoWouldFillWithGrey() throws Exception {
        byte[] whole = TestImages.jpeg(64, 64);
        assertThat(Images.decode(whole).getHeight()).isEqualTo(64);
        assertThatThrownBy(() -> Images.decode(TestImages.truncated(whole, 0.5)))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageStartingWith("truncated or corrupt");
    }
}
