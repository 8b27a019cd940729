package io.streamlip.filter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The field encodings {@link BandProbeSerializer} and {@link BandAnswerSerializer} share: a length
 * (-1 for null) followed by the contents.
 */
final class WireFields {
    private WireFields() {}

    static void writeString(String value, DataOutputView target) throws IOException {
        writeBytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8), target);
    }

    static String readString(DataInputView source) throws IOException {
        byte[] bytes = readBytes(source);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeBytes(byte[] value, DataOutputView target) throws IOException {
        if (value == null) {
            target.writeInt(-1);
            return;
        }
        target.writeInt(value.length);
        target.write(value);
    }

    static byte[] readBytes(DataInputView source) throws IOException {
        int length = length(source);
        if (length < 0) {
            return null;
        }
        byte[] value = new byte[length];
        source.readFully(value);
        return value;
    }

    static void writeLongs(long[] value, DataOutputView target) throws IOException {
        if (value == null) {
            target.writeInt(-1);
            return;
        }
        target.writeInt(value.length);
        for (long v : value) {
            target.writeLong(v);
        }
    }

    static long[] readLongs(DataInputView source) throws IOException {
        int length = length(source);
        if (length < 0) {
            return null;
        }
        long[] value = new long[length];
        for (int i = 0; i < length; i++) {
            value[i] = source.readLong();
        }
        return value;
    }

    private static int length(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < -1) {
            throw new IOException("a corrupt length on the wire: " + length);
        }
        return length;
    }
}
