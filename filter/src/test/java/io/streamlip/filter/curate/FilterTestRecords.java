package io.streamlip.filter.curate;

import io.streamlip.platform.kafka.KafkaEnvelope;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Records and images the filter's tests of every package build their inputs from. */
public final class FilterTestRecords {
    private FilterTestRecords() {}

    /** The serializer Flink uses for {@code type}, for test harnesses. */
    public static <T> TypeSerializer<T> serializer(TypeInformation<T> type) {
        return type.createSerializer(new SerializerConfigImpl());
    }

    /** A record of the raw topic at {@code offset}. */
    public static KafkaEnvelope envelope(String key, byte[] value, long offset) {
        return new KafkaEnvelope(key.getBytes(StandardCharsets.UTF_8), value, "raw", 0, offset, 0L);
    }

    /** A filled disc or square on a transparent 64x64 ground, shifted by {@code shift} pixels. */
    public static BufferedImage icon(Color colour, boolean disc, int shift) {
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

    /** {@code image} drawn over white, without alpha (as JPEG keeps it). */
    public static BufferedImage opaque(BufferedImage image) {
        BufferedImage out =
                new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }
}
