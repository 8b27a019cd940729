package io.streamlip.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.platform.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {

    @Test
    void compositesTransparencyOntoWhite() {
        BufferedImage image = new BufferedImage(10, 10, BufferedImage.TYPE_INT_ARGB);
        // half-transparent black everywhere: every output pixel is half black over white
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0, 0, 0, 128));
        g.fillRect(0, 0, 10, 10);
        g.dispose();
        byte[] rgb = new ImagePreprocessor(4).toRgb(image);
        assertThat(rgb).hasSize(4 * 4 * 3);
        for (byte b : rgb) {
            assertThat(b & 0xff).isBetween(125, 129); // half black over white
        }
        BufferedImage clear = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (byte b : new ImagePreprocessor(4).toRgb(clear)) {
            assertThat(b & 0xff).isEqualTo(255);
        }
    }

    @Test
    void downscalingKeepsLayoutAndColours() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 32, 64);
        g.setColor(Color.BLUE);
        g.fillRect(32, 0, 32, 64);
        g.dispose();
        int size = 8;
        byte[] rgb = new ImagePreprocessor(size).process(Images.png(image));
        // left column red, right column blue, HWC layout
        int left = (3 * size + 0) * 3;
        int right = (3 * size + size - 1) * 3;
        assertThat(rgb[left] & 0xff).isEqualTo(255);
        assertThat(rgb[left + 2] & 0xff).isEqualTo(0);
        assertThat(rgb[right] & 0xff).isEqualTo(0);
        assertThat(rgb[right + 2] & 0xff).isEqualTo(255);
    }

    @Test
    void upscalesToo() throws Exception {
        BufferedImage image = new BufferedImage(3, 5, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, 3, 5);
        g.dispose();
        byte[] rgb = new ImagePreprocessor(16).process(Images.png(image));
        assertThat(rgb[1] & 0xff).isEqualTo(255);
        assertThat(rgb[rgb.length - 2] & 0xff).isEqualTo(255);
        assertThat(rgb[rgb.length - 1] & 0xff).isEqualTo(0);
    }

    @Test
    void refusesBytesThatAreNoImage() {
        assertThatThrownBy(() -> new ImagePreprocessor(8).process(new byte[] {1, 2, 3, 4}))
                .isInstanceOf(Images.UndecodableImageException.class)
                .hasMessageContaining("unknown image format");
    }
}
