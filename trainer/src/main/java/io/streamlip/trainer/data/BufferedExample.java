package io.streamlip.trainer.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An example waiting in the shuffle buffer, with where it came from.
 *
 * @param partition its Kafka partition (the buffer reads one topic)
 * @param offset its offset in that partition
 * @param produceTime the Kafka record's timestamp (epoch ms), or -1 when it does not count for
 *     freshness (read again in a replay pass)
 * @param pass the reading pass it was read in (1 unless the topic was replayed)
 * @param example the decoded example
 */
public record BufferedExample(
        int partition, long offset, long produceTime, int pass, DecodedExample example) {

    /** The bytes the spill store keeps. */
    byte[] encode() {
        ByteArrayOutputStream bytes =
                new ByteArrayOutputStream(
                        68 + example.rgb().length + 4 * example.tokenIds().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(produceTime);
            out.writeInt(pass);
            out.writeUTF(example.id());
            out.writeBoolean(example.lang() != null);
            if (example.lang() != null) {
                out.writeUTF(example.lang());
            }
            out.writeInt(example.rgb().length);
            out.write(example.rgb());
            out.writeInt(example.tokenIds().length);
            for (int id : example.tokenIds()) {
                out.writeInt(id);
            }
            // Last, so bytes spilled before rendered captions existed still decode.
            byte[] rendered = example.renderedText();
            out.writeInt(rendered == null ? -1 : rendered.length);
            if (rendered != null) {
                out.write(rendered);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The inverse of {@link #encode()}. */
    static BufferedExample decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int partition = in.readInt();
            long offset = in.readLong();
            long produceTime = in.readLong();
            int pass = in.readInt();
            String id = in.readUTF();
            String lang = in.readBoolean() ? in.readUTF() : null;
            byte[] rgb = new byte[in.readInt()];
            in.readFully(rgb);
            int[] ids = new int[in.readInt()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.readInt();
            }
            byte[] rendered = null;
            if (in.available() > 0) {
                int length = in.readInt();
                if (length >= 0) {
                    rendered = new byte[length];
                    in.readFully(rendered);
                }
            }
            return new BufferedExample(
                    partition,
                    offset,
                    produceTime,
                    pass,
                    new DecodedExample(id, lang, rgb, ids, rendered));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt spilled example", e);
        }
    }
}
