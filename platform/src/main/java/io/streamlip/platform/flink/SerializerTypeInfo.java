package io.streamlip.platform.flink;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information of a record that crosses operators (and, for Avro records, sits in state)
 * as one opaque value with a serializer of our choosing, never Kryo and never Flink's POJO
 * analysis: the generated Avro records ({@link EnvelopeStage#avroType}, with flink-avro's {@code
 * AvroSerializer}; flink-avro's own {@code AvroTypeInfo} analyses the class as a POJO and needs
 * setters, which our records are generated without), and the near-duplicate stages' probes and
 * answers (their own compact serializers). It is not usable as a key, which the jobs never need.
 *
 * @param <T> the record class
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final TypeSerializer<T> serializer;

    public SerializerTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this.type = Objects.requireNonNull(type, "type");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
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
        return serializer.duplicate();
    }

    @Override
    public String toString() {
        return type.getSimpleName() + "<" + serializer.getClass().getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SerializerTypeInfo<?> info
                && info.canEqual(this)
                && type.equals(info.type)
                && serializer.equals(info.serializer);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + serializer.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof SerializerTypeInfo;
    }
}
