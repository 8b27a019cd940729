package io.streamlip.filter.neardup;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link BandAnswer} on the wire: the pair key (Flink's string serializer), the number of bands, a
 * found flag, and the cluster and its time only when found. Sent once per {@link BandProbe}.
 */
final class BandAnswerSerializer extends BandWireSerializer<BandAnswer> {
    private static final long serialVersionUID = 1L;

    static final BandAnswerSerializer INSTANCE = new BandAnswerSerializer();

    private BandAnswerSerializer() {}

    @Override
    public BandAnswer createInstance() {
        return new BandAnswer();
    }

    @Override
    public BandAnswer copy(BandAnswer from) {
        return new BandAnswer(from.pairKey, from.bands, from.found, from.cluster, from.clusterTime);
    }

    @Override
    public void serialize(BandAnswer answer, DataOutputView target) throws IOException {
        StringSerializer.INSTANCE.serialize(answer.pairKey, target);
        target.writeInt(answer.bands);
        target.writeBoolean(answer.found);
        if (answer.found) {
            target.writeLong(answer.cluster);
            target.writeLong(answer.clusterTime);
        }
    }

    @Override
    public BandAnswer deserialize(DataInputView source) throws IOException {
        String pairKey = StringSerializer.INSTANCE.deserialize(source);
        int bands = source.readInt();
        if (!source.readBoolean()) {
            return new BandAnswer(pairKey, bands, false, 0, 0);
        }
        long cluster = source.readLong();
        long clusterTime = source.readLong();
        return new BandAnswer(pairKey, bands, true, cluster, clusterTime);
    }

    @Override
    public TypeSerializerSnapshot<BandAnswer> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot restores the singleton. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BandAnswer> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Kept for Java serialisation of job graphs: one instance per JVM. */
    private Object readResolve() {
        return INSTANCE;
    }
}
