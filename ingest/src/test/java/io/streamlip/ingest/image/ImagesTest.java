package io.streamlip.ingest.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void probeReadsTheClaimedSizeWithoutDecoding() {
        byte[] bomb = pngHeaderOnly(50_000, 50_000);
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

    /** A PNG signature and IHDR chunk claiming {@code w x h}, with no image data. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(w).putInt(h);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
