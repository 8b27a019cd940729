package io.streamlip.filter.curate;

import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.SchemaHistory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.util.Utf8;

/**
 * The {@code alt_text} of an encoded {@link RawPair} as the bytes it was written with. Decoding
 * into a Java string replaces invalid UTF-8 with U+FFFD, which a caption may also contain for real;
 * only the bytes tell the two apart. Reads with a reader schema of that one field, so every other
 * field (the image) is skipped, not copied; any writer schema of the type's history is read.
 */
final class AltTextBytes implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient BinaryMessageDecoder<GenericRecord> decoder;

    /**
     * The caption's bytes in {@code encoded} (the single-object encoding of a raw pair).
     *
     * @throws IOException when {@code encoded} is not such a record
     */
    ByteBuffer read(byte[] encoded) throws IOException {
        Utf8 text = (Utf8) decoder().decode(encoded).get("alt_text");
        return ByteBuffer.wrap(text.getBytes(), 0, text.getByteLength());
    }

    private BinaryMessageDecoder<GenericRecord> decoder() {
        if (decoder == null) {
            Schema current = RawPair.getClassSchema();
            Schema reader =
                    Schema.createRecord(
                            current.getName(),
                            null,
                            current.getNamespace(),
                            false,
                            List.of(
                                    new Schema.Field(
                                            "alt_text", Schema.create(Schema.Type.STRING))));
            BinaryMessageDecoder<GenericRecord> d =
                    new BinaryMessageDecoder<>(GenericData.get(), reader);
            d.addSchema(current);
            for (Schema writer : SchemaHistory.load(current.getFullName())) {
                d.addSchema(writer);
            }
            decoder = d;
        }
        return decoder;
    }
}
