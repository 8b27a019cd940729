package io.streamlip.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    static RawPair samplePair() {
        return RawPair.newBuilder()
                .setId("p-1")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setAltText("grinning face")
                .setSource("test")
                .setCrawlTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
                .setLangHint("en")
                .setAttributes(Map.of("vendor", "google"))
                .build();
    }

    @Test
    void roundTripsEveryRecordType() {
        RawPair pair = samplePair();
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        byte[] bytes = serde.encode(pair);
        // single-object encoding: marker C3 01, then the 8-byte fingerprint
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(serde.decode(bytes)).isEqualTo(pair);

        Reject reject =
                Reject.newBuilder()
                        .setStage("filter")
                        .setReason(RejectReason.DUPLICATE.code())
                        .setDetail("seen before")
                        .setRejectTime(java.time.Instant.EPOCH)
                        .build();
        AvroSerde<Reject> rejects = AvroSerde.of(Reject.class);
        assertThat(rejects.decode(rejects.encode(reject))).isEqualTo(reject);
    }

    @Test
    void tellsWhetherARecordEncodesToGivenBytes() {
        RawPair pair = samplePair();
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        byte[] bytes = serde.encode(pair);
        assertThat(serde.encodesTo(pair, bytes)).isTrue();
        byte[] changedLast = bytes.clone();
        changedLast[changedLast.length - 1] ^= 1;
        assertThat(serde.encodesTo(pair, changedLast)).isFalse();
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThat(serde.encodesTo(pair, longer)).isFalse();
        byte[] shorter = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThat(serde.encodesTo(pair, shorter)).isFalse();
        assertThat(serde.encodesTo(RawPair.newBuilder(pair).setId("other").build(), bytes))
                .isFalse();
    }

    @Test
    void decodesRecordsWrittenBeforeAFieldWasAdded() {
        // RawPair as it would have been before 'attributes' was added.
        Schema current = RawPair.getClassSchema();
        Schema older = withoutField(current, "attributes");
        GenericRecord old = new GenericData.Record(older);
        old.put("id", "old-1");
        old.put("alt_text", "a red circle");
        old.put("source", "legacy");
        old.put("crawl_time", 42L);
        byte[] bytes = encodeGeneric(older, old);

        // A reader that does not know the old schema says exactly what is wrong ...
        AvroSerde<RawPair> unaware = AvroSerde.withWriterSchemas(RawPair.class, List.of());
        assertThatThrownBy(() -> unaware.decode(bytes))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("unknown writer schema");

        // ... and one that does resolves it into today's class, new field at its default.
        AvroSerde<RawPair> aware = AvroSerde.withWriterSchemas(RawPair.class, List.of(older));
        RawPair decoded = aware.decode(bytes);
        assertThat(decoded.getId()).isEqualTo("old-1");
        assertThat(decoded.getAltText()).isEqualTo("a red circle");
        assertThat(decoded.getAttributes()).isEmpty();
        assertThat(decoded.getImage()).isNull();
    }

    @Test
    void decodesRecordsWrittenWithTheirFirstRecordedSchemas() {
        // Example, Reject and ModelUpdate as written before provenance was carried: every
        // serde reads them through the history, the new fields at their defaults.
        Schema exampleV1 = SchemaHistory.parse("Example.v1.avsc");
        GenericRecord example = new GenericData.Record(exampleV1);
        example.put("id", "old-example");
        example.put("lang", "en");
        example.put("caption", "a red circle");
        example.put("token_ids", List.of(3, 4, 5));
        example.put("tokenizer_version", "bytes-v1");
        example.put("image", ByteBuffer.wrap(new byte[] {7, 8, 9}));
        example.put(
                "image_format",
                new GenericData.EnumSymbol(exampleV1.getField("image_format").schema(), "PNG"));
        example.put("image_size", 1);
        example.put("source_time", 42L);
        Example decoded = AvroSerde.of(Example.class).decode(encodeGeneric(exampleV1, example));
        assertThat(decoded.getId()).isEqualTo("old-example");
        assertThat(decoded.getTokenIds()).containsExactly(3, 4, 5);
        assertThat(decoded.getImageFormat()).isEqualTo(PixelFormat.PNG);
        assertThat(decoded.getSource()).isNull();
        assertThat(decoded.getModelVersion()).isNull();

        Schema rejectV1 = SchemaHistory.parse("Reject.v1.avsc");
        GenericRecord reject = new GenericData.Record(rejectV1);
        reject.put("id", "old-reject");
        reject.put("stage", "filter");
        reject.put("reason", "image_too_small");
        reject.put("detail", "8x8");
        reject.put("partition", 0);
        reject.put("offset", 5L);
        reject.put("reject_time", 43L);
        Reject oldReject = AvroSerde.of(Reject.class).decode(encodeGeneric(rejectV1, reject));
        assertThat(oldReject.getReason()).isEqualTo("image_too_small");
        assertThat(oldReject.getModelVersion()).isNull();

        Schema updateV1 = SchemaHistory.parse("ModelUpdate.v1.avsc");
        GenericRecord update = new GenericData.Record(updateV1);
        update.put("model_version", "run/step-1");
        update.put("step", 1L);
        update.put("examples_seen", 64L);
        update.put("checkpoint_path", "/tmp/c");
        update.put("eval", Map.of());
        update.put("created_time", 44L);
        ModelUpdate oldUpdate =
                AvroSerde.of(ModelUpdate.class).decode(encodeGeneric(updateV1, update));
        assertThat(oldUpdate.getStep()).isEqualTo(1L);
        assertThat(oldUpdate.getTrainedUpTo()).isEmpty();
    }

    @Test
    void refusesALengthPrefixLargerThanTheRecordBeforeAllocatingIt() {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        serde.decode(serde.encode(samplePair())); // builds the decoder outside the measurement
        byte[] good = serde.encode(samplePair());
        // The id comes first after the 10-byte header: "p-1" is zig-zag length 6, one byte. Claim
        // 1 GiB instead (zig-zag 2^31: varint 80 80 80 80 08).
        assertThat(good[10]).isEqualTo((byte) 6);
        byte[] bomb = new byte[good.length + 4];
        System.arraycopy(good, 0, bomb, 0, 10);
        System.arraycopy(
                new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 8}, 0, bomb, 10, 5);
        System.arraycopy(good, 11, bomb, 15, good.length - 11);

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)
                        java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> serde.decode(bomb))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("id: length 1073741824 claimed");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
    }

    @Test
    void refusesBytesThatAreNotSingleObjectAvro() {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        assertThatThrownBy(() -> serde.decode("hello".getBytes()))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("not Avro single-object");
        assertThatThrownBy(() -> serde.decode(new byte[0]))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("empty payload");
        byte[] truncated = serde.encode(samplePair());
        byte[] cut = java.util.Arrays.copyOf(truncated, 14);
        assertThatThrownBy(() -> serde.decode(cut))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("corrupt RawPair");
    }

    @Test
    void refusesARecordOfAnotherType() {
        byte[] rejectBytes =
                AvroSerde.of(ModelUpdate.class)
                        .encode(
                                ModelUpdate.newBuilder()
                                        .setModelVersion("v")
                                        .setStep(1)
                                        .setExamplesSeen(1)
                                        .setCheckpointPath("/tmp")
                                        .setCreatedTime(java.time.Instant.EPOCH)
                                        .build());
        assertThatThrownBy(() -> AvroSerde.of(RawPair.class).decode(rejectBytes))
                .isInstanceOf(AvroSerde.DecodeException.class)
                .hasMessageContaining("unknown writer schema");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        var out = new java.io.ByteArrayOutputStream();
        try (var oos = new java.io.ObjectOutputStream(out)) {
            oos.writeObject(serde);
        }
        @SuppressWarnings("unchecked")
        AvroSerde<RawPair> copy =
                (AvroSerde<RawPair>)
                        new java.io.ObjectInputStream(
                                        new java.io.ByteArrayInputStream(out.toByteArray()))
                                .readObject();
        assertThat(copy.decode(serde.encode(samplePair()))).isEqualTo(samplePair());
    }

    static Schema withoutField(Schema schema, String dropped) {
        List<Schema.Field> fields =
                schema.getFields().stream()
                        .filter(f -> !f.name().equals(dropped))
                        .map(f -> new Schema.Field(f, f.schema()))
                        .collect(Collectors.toList());
        return Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    static byte[] encodeGeneric(Schema schema, GenericRecord record) {
        try {
            ByteBuffer buffer =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
                            .encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }
}
