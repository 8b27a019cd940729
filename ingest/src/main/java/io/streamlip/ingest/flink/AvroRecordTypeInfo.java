package io.streamlip.ingest.flink;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;

/**
 * Flink type information of a generated Avro record, serialized by flink-avro's {@link
 * AvroSerializer} (Avro binary, schema from the class), never by Kryo.
 *
 * <p>flink-avro's own {@code AvroTypeInfo} analyses the class as a Flink POJO and so needs setters;
 * our records are generated without them ({@code createSetters=false}), so this type information
 * treats a record as one opaque value instead. It is not usable as a key, which the jobs never need
 * (they key by strings).
 *
 * @param <T> the generated record class
 */
public final class AvroRecordTypeInfo<T extends SpecificRecord> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    public AvroRecordTypeInfo(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new AvroSerializer<>(type);
    }

    @Override
    public String toString() {
        return "AvroRecord<" + type.getName() + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AvroRecordTypeInfo<?> that && that.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof AvroRecordTypeInfo;
    }
}
