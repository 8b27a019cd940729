package io.streamlip.platform.bounds;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Whether a record fits a topic's record limit, and the exact size of a record in the project's
 * encoding (Avro single-object: a 10-byte header, then the binary body), measured by encoding into
 * a counter: no bytes are copied or kept.
 *
 * <p>{@link #fits} leaves room for Kafka's framing: a record batch's header and a record's own
 * header take under 100 bytes, and lz4's framing of incompressible data (the {@code examples}
 * topic's compression) adds 4 bytes per 64 KiB block, so {@value #FRAMING_BYTES} bytes plus 1/4096
 * of the record cover both.
 *
 * @param <T> the generated record class measured
 */
public final class RecordSize<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Fixed room left for Kafka's batch and record headers. */
    public static final int FRAMING_BYTES = 512;

    /** Avro single-object encoding's header: the marker C3 01 and the 8-byte fingerprint. */
    public static final int SINGLE_OBJECT_HEADER = 10;

    private final Class<T> type;
    private transient DatumWriter<T> writer;
    private transient Counter counter;
    private transient BinaryEncoder encoder;

    private RecordSize(Class<T> type) {
        this.type = type;
    }

    /** A measurer of {@code type} records. */
    public static <T extends SpecificRecord> RecordSize<T> of(Class<T> type) {
        return new RecordSize<>(type);
    }

    /**
     * Whether a Kafka record of {@code keyBytes} and {@code valueBytes} fits a topic whose limit
     * (the broker's and topic's {@code max.message.bytes}) is {@code maxRecordBytes}.
     */
    public static boolean fits(long keyBytes, long valueBytes, int maxRecordBytes) {
        long record = keyBytes + valueBytes;
        return record + FRAMING_BYTES + record / 4096 <= maxRecordBytes;
    }

    /** Bytes of {@code record} in the single-object encoding {@code AvroSerde} writes. */
    public long encodedSize(T record) {
        if (writer == null) {
            SpecificData model = SpecificData.getForClass(type);
            writer = new SpecificDatumWriter<>(model.getSchema(type), model);
            counter = new Counter();
        }
        counter.count = 0;
        encoder = EncoderFactory.get().directBinaryEncoder(counter, encoder);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + type.getSimpleName(), e);
        }
        return SINGLE_OBJECT_HEADER + counter.count;
    }

    /** An output stream that only counts. */
    private static final class Counter extends OutputStream {
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
