package io.streamlip.sinks.avro;

import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.shards.RecordCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Accepts a record an Avro container file can take, or refuses it as {@code sink_unwritable}: when
 * it does not encode with its class's schema (a null in a required field, a value of the wrong
 * type) or its encoding exceeds the shard's record bound.
 *
 * @param <T> the generated record class
 */
public final class AvroRecordCheck<T extends SpecificRecord> implements RecordCheck<T, T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final int maxRecordBytes;
    private transient SpecificDatumWriter<T> writer;
    private transient BinaryEncoder encoder;

    public AvroRecordCheck(Class<T> type, int maxRecordBytes) {
        this.type = Objects.requireNonNull(type, "type");
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive: " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public Verdict<T> check(T record) {
        if (writer == null) {
            writer = new SpecificDatumWriter<>(type);
        }
        CountingStream bytes = new CountingStream();
        try {
            encoder = EncoderFactory.get().directBinaryEncoder(bytes, encoder);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            return RecordCheck.unwritable("does not encode as " + type.getSimpleName() + ": " + e);
        }
        if (bytes.count > maxRecordBytes) {
            return RecordCheck.unwritable(
                    "record of "
                            + bytes.count
                            + " bytes exceeds the shard's record bound of "
                            + maxRecordBytes
                            + " bytes");
        }
        return Verdict.accept(record);
    }

    /** Counts what is written and keeps none of it. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
