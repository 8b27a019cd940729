package io.streamlip.filter.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class RawPairPeekTest {
    private static final RawPairPeek PEEK = RawPairPeek.forRawPairs();

    private static final AvroSerde<RawPair> SERDE = AvroSerde.of(RawPair.class);

    private static RawPair pair(String id, byte[] image, String url) {
        return RawPair.newBuilder()
                .setId(id)
                .setImage(image == null ? null : ByteBuffer.wrap(image))
                .setImageUrl(url)
                .setAltText("a red circle")
                .setSource("test")
                .setCrawlTime(Instant.EPOCH)
                .setAttributes(Map.of())
                .build();
    }

    @Test
    void answersAsTheDecodedPairWouldForEveryIdLength() {
        for (int n : new int[] {0, 1, 63, 64, 65, 200, 9000}) {
            String id = "x".repeat(n);
            byte[] withImage = SERDE.encode(pair(id, new byte[] {1, 2, 3}, null));
            byte[] emptyImage = SERDE.encode(pair(id, new byte[0], "http://a/b.jpg"));
            byte[] urlOnly = SERDE.encode(pair(id, null, "http://a/b.jpg"));
            assertThat(inline(withImage)).isTrue();
            assertThat(inline(emptyImage)).isTrue();
            assertThat(inline(urlOnly)).isFalse();
            assertThat(SERDE.decode(urlOnly).getImage()).isNull();
        }
    }

    @Test
    void saysNoToWhatItCannotReadSoTheStageDecodesIt() {
        byte[] good = SERDE.encode(pair("p-1", new byte[] {1}, null));
        assertThat(inline(null)).isFalse();
        assertThat(inline(new byte[0])).isFalse();
        assertThat(inline("hello, not avro".getBytes())).isFalse();
        // Cut anywhere before the image branch.
        for (int cut = 0; cut < 15; cut++) {
            assertThat(inline(Arrays.copyOf(good, cut))).as("cut %d", cut).isFalse();
        }
        // An id length claiming more than the record holds.
        byte[] bomb = good.clone();
        bomb[10] = (byte) 0x7E; // zig-zag 63
        assertThat(inline(bomb)).isFalse();
        // Another fingerprint: an older writer schema is decoded in full.
        byte[] other = good.clone();
        other[2] ^= 1;
        assertThat(inline(other)).isFalse();
    }

    @Test
    void aRecordOfAnOlderSchemaIsLeftToTheFullDecode() throws Exception {
        Schema current = RawPair.getClassSchema();
        List<Schema.Field> fields =
                current.getFields().stream()
                        .filter(f -> !f.name().equals("attributes"))
                        .map(f -> new Schema.Field(f, f.schema()))
                        .collect(Collectors.toList());
        Schema older =
                Schema.createRecord(
                        current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        GenericRecord old = new GenericData.Record(older);
        old.put("id", "old-1");
        old.put("image", ByteBuffer.wrap(new byte[] {1, 2}));
        old.put("alt_text", "a red circle");
        old.put("source", "legacy");
        old.put("crawl_time", 42L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        long fp = SchemaNormalization.parsingFingerprint64(older);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fp >>> (8 * i)) & 0xFF);
        }
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(old, encoder);
        encoder.flush();
        assertThat(inline(out.toByteArray())).isFalse();
    }

    private static boolean inline(byte[] encoded) {
        return PEEK.peek(encoded).kind() == RawPairPeek.Kind.INLINE;
    }
}
