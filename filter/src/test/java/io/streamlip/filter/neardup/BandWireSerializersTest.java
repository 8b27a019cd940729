package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.curate.FilterTestRecords;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The compact serializers of the records between the near-duplicate stages. */
class BandWireSerializersTest {
    @Test
    void aProbeComesBackFieldForField() throws Exception {
        byte[] thumbnail = new byte[768];
        for (int i = 0; i < thumbnail.length; i++) {
            thumbnail[i] = (byte) (i * 7);
        }
        BandProbe probe =
                new BandProbe(
                        "raw-pairs/3@12345/pair-ü-画像",
                        0x0C00_0000_0000_001FL,
                        -42L,
                        thumbnail,
                        9L,
                        1234L);
        BandProbe back = roundTrip(BandProbe.typeInfo(), probe);
        assertThat(back).usingRecursiveComparison().isEqualTo(probe);
        assertThat(back.thumbnail).isNotSameAs(probe.thumbnail);
        // Null fields (a POJO may have them) survive too.
        assertThat(roundTrip(BandProbe.typeInfo(), new BandProbe()))
                .usingRecursiveComparison()
                .isEqualTo(new BandProbe());
        BandProbe copy = serializer(BandProbe.typeInfo()).copy(probe);
        assertThat(copy).usingRecursiveComparison().isEqualTo(probe);
        assertThat(copy.thumbnail).isNotSameAs(probe.thumbnail);
    }

    @Test
    void anAnswerComesBackFoundOrNot() throws Exception {
        BandAnswer found = new BandAnswer("t/0@1/p", true, -7L, 99L);
        BandAnswer none = new BandAnswer("t/0@2/q", false, 0, 0);
        assertThat(roundTrip(BandAnswer.typeInfo(), found))
                .usingRecursiveComparison()
                .isEqualTo(found);
        assertThat(roundTrip(BandAnswer.typeInfo(), none))
                .usingRecursiveComparison()
                .isEqualTo(none);
    }

    @Test
    void snapshotsRestoreTheSameSerializerAndTheTypeInformationTravelsWithAJob() throws Exception {
        for (TypeInformation<?> type :
                new TypeInformation<?>[] {BandProbe.typeInfo(), BandAnswer.typeInfo()}) {
            TypeSerializer<?> serializer = serializer(type);
            DataOutputSerializer out = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
            TypeSerializerSnapshot<?> restored =
                    TypeSerializerSnapshot.readVersionedSnapshot(
                            new DataInputDeserializer(out.getCopyOfBuffer()),
                            getClass().getClassLoader());
            assertThat(restored.restoreSerializer()).isEqualTo(serializer);
            assertThat(compatibleAsIs(serializer, restored)).isTrue();

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream objects = new ObjectOutputStream(bytes)) {
                objects.writeObject(type);
            }
            try (ObjectInputStream objects =
                    new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                TypeInformation<?> back = (TypeInformation<?>) objects.readObject();
                assertThat(back).isEqualTo(type);
                assertThat(serializer(back)).isSameAs(serializer);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> boolean compatibleAsIs(
            TypeSerializer<T> serializer, TypeSerializerSnapshot<?> restored) {
        return serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility((TypeSerializerSnapshot<T>) restored)
                .isCompatibleAsIs();
    }

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
        TypeSerializer<T> serializer = serializer(type);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T first = serializer.deserialize(in);
        T second = serializer.deserialize(serializer.createInstance(), in);
        assertThat(second).usingRecursiveComparison().isEqualTo(first);
        assertThat(in.available()).isZero();
        // copy(in, out) writes the same bytes again.
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        DataOutputSerializer once = new DataOutputSerializer(64);
        serializer.serialize(value, once);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(once.getCopyOfBuffer());
        return first;
    }

    private static <T> TypeSerializer<T> serializer(TypeInformation<T> type) {
        return FilterTestRecords.serializer(type);
    }
}
