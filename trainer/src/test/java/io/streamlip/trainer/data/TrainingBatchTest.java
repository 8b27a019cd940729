package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrainingBatchTest {
    @Test
    void imagesBecomeChannelMajorInMinusOneToOne() {
        byte[] rgb = new byte[2 * 2 * 3];
        rgb[0] = (byte) 255; // pixel (0,0) red = 255
        rgb[1] = 0; // green = 0
        rgb[5] = (byte) 128; // pixel (0,1) blue
        float[] dst = new float[2 * 3 * 4];
        TrainingBatch.putImage(rgb, 2, dst, 1);
        int base = 12;
        assertThat(dst[base]).isEqualTo(1f); // R plane, pixel 0
        assertThat(dst[base + 4]).isEqualTo(-1f); // G plane, pixel 0
        assertThat(dst[base + 8 + 1]).isEqualTo(128 / 127.5f - 1f); // B plane, pixel 1
        assertThat(dst[0]).isZero(); // image 0 untouched
    }

    @Test
    void everyByteValueBecomesExactlyItsScaledFloatInItsPlace() {
        int size = 16; // 256 pixels: pixel p holds value p in red, 255 - p in green, 7p in blue
        byte[] rgb = new byte[size * size * 3];
        for (int p = 0; p < size * size; p++) {
            rgb[3 * p] = (byte) p;
            rgb[3 * p + 1] = (byte) (255 - p);
            rgb[3 * p + 2] = (byte) (7 * p);
        }
        float[] dst = new float[2 * 3 * size * size];
        TrainingBatch.putImage(rgb, size, dst, 1);
        int plane = size * size;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float expected = (rgb[3 * p + c] & 0xff) / 127.5f - 1f;
                assertThat(dst[3 * plane + c * plane + p]).isEqualTo(expected);
            }
        }
    }

    @Test
    void tokensArePaddedOrTruncatedToEndWithEos() {
        int[] ids = new int[8];
        float[] mask = new float[8];
        TrainingBatch.putTokens(new int[] {5, 6, 1}, 4, 1, ids, mask, 0);
        TrainingBatch.putTokens(new int[] {5, 6, 7, 8, 9, 1}, 4, 1, ids, mask, 1);
        assertThat(ids).containsExactly(5, 6, 1, 0, 5, 6, 7, 1);
        assertThat(mask).containsExactly(1, 1, 1, 0, 1, 1, 1, 1);
    }
}
