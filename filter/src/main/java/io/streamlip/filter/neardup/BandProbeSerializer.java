package io.streamlip.filter.neardup;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.api.java.typeutils.runtime.NullableSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link BandProbe} on the wire, field after field with no per-field flags (Flink's POJO serializer
 * writes a null flag per field and sets each by reflection): the pair key, the band keys, the three
 * longs, the thumbnail and its summary, each with Flink's own serializer of its type (the arrays
 * behind a null flag). A pair sends one probe per task its bands land on.
 */
final class BandProbeSerializer extends BandWireSerializer<BandProbe> {
    private static final long serialVersionUID = 1L;

    static final BandProbeSerializer INSTANCE = new BandProbeSerializer();

    // Flink's array serializers refuse null; a POJO field may be null, so a flag goes before each.
    private static final TypeSerializer<byte[]> BYTES =
            NullableSerializer.wrapIfNullIsNotSupported(
                    BytePrimitiveArraySerializer.INSTANCE, false);
    private static final TypeSerializer<long[]> LONGS =
            NullableSerializer.wrapIfNullIsNotSupported(
                    LongPrimitiveArraySerializer.INSTANCE, false);

    private BandProbeSerializer() {}

    @Override
    public BandProbe createInstance() {
        return new BandProbe();
    }

    @Override
    public BandProbe copy(BandProbe from) {
        return new BandProbe(
                from.pairKey,
                from.bandKeys == null ? null : from.bandKeys.clone(),
                from.phash,
                from.thumbnail == null ? null : from.thumbnail.clone(),
                from.imageId,
                from.time,
                from.thumbnailSums == null ? null : from.thumbnailSums.clone());
    }

    @Override
    public void serialize(BandProbe probe, DataOutputView target) throws IOException {
        StringSerializer.INSTANCE.serialize(probe.pairKey, target);
        LONGS.serialize(probe.bandKeys, target);
        target.writeLong(probe.phash);
        target.writeLong(probe.imageId);
        target.writeLong(probe.time);
        BYTES.serialize(probe.thumbnail, target);
        LONGS.serialize(probe.thumbnailSums, target);
    }

    @Override
    public BandProbe deserialize(DataInputView source) throws IOException {
        String pairKey = StringSerializer.INSTANCE.deserialize(source);
        long[] bandKeys = LONGS.deserialize(source);
        long phash = source.readLong();
        long imageId = source.readLong();
        long time = source.readLong();
        byte[] thumbnail = BYTES.deserialize(source);
        long[] sums = LONGS.deserialize(source);
        return new BandProbe(pairKey, bandKeys, phash, thumbnail, imageId, time, sums);
    }

    @Override
    public TypeSerializerSnapshot<BandProbe> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot restores the singleton. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BandProbe> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Kept for Java serialisation of job graphs: one instance per JVM. */
    private Object readResolve() {
        return INSTANCE;
    }
}
