package io.streamlip.sinks.avro;

import io.streamlip.platform.bounds.RecordSize;
import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.shards.RecordCheck;
import java.util.Objects;
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
    private final RecordSize<T> size;

    public AvroRecordCheck(Class<T> type, int maxRecordBytes) {
        this.type = Objects.requireNonNull(type, "type");
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive: " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.size = RecordSize.of(type);
    }

    @Override
    public Verdict<T> check(T record) {
        long bytes;
        try {
            // A container file holds the body alone, without the single-object header.
            bytes = size.encodedSize(record) - RecordSize.SINGLE_OBJECT_HEADER;
        } catch (RuntimeException e) {
            return RecordCheck.unwritable("does not encode as " + type.getSimpleName() + ": " + e);
        }
        if (bytes > maxRecordBytes) {
            return RecordCheck.unwritable(
                    "record of "
                            + bytes
                            + " bytes exceeds the shard's record bound of "
                            + maxRecordBytes
                            + " bytes");
        }
        return Verdict.accept(record);
    }
}
