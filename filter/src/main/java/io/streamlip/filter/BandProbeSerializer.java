package io.streamlip.filter;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link BandProbe} on the wire, field after field with no per-field flags: the pair key as UTF-8
 * bytes (one bulk copy, where Flink's string serializer writes a variable-length integer per
 * character), the four longs, the thumbnail and its summary. A pair sends {@code k + 1} probes
 * through a keyed exchange, so this runs 13 times per record at the default k.
 */
final class BandProbeSerializer extends TypeSerializerSingleton<BandProbe> {
    private static final long serialVersionUID = 1L;

    static final BandProbeSerializer INSTANCE = new BandProbeSerializer();

    private BandProbeSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public BandProbe createInstance() {
        return new BandProbe();
    }

    @Override
    public BandProbe copy(BandProbe from) {
        return new BandProbe(
                from.pairKey,
                from.bandKey,
                from.phash,
                from.thumbnail == null ? null : from.thumbnail.clone(),
                from.imageId,
                from.time,
                from.thumbnailSums == null ? null : from.thumbnailSums.clone());
    }

    @Override
    public BandProbe copy(BandProbe from, BandProbe reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(BandProbe probe, DataOutputView target) throws IOException {
        WireFields.writeString(probe.pairKey, target);
        target.writeLong(probe.bandKey);
        target.writeLong(probe.phash);
        target.writeLong(probe.imageId);
        target.writeLong(probe.time);
        WireFields.writeBytes(probe.thumbnail, target);
        WireFields.writeLongs(probe.thumbnailSums, target);
    }

    @Override
    public BandProbe deserialize(DataInputView source) throws IOException {
        String pairKey = WireFields.readString(source);
        long bandKey = source.readLong();
        long phash = source.readLong();
        long imageId = source.readLong();
        long time = source.readLong();
        byte[] thumbnail = WireFields.readBytes(source);
        long[] sums = WireFields.readLongs(source);
        return new BandProbe(pairKey, bandKey, phash, thumbnail, imageId, time, sums);
    }

    @Override
    public BandProbe deserialize(BandProbe reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
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
