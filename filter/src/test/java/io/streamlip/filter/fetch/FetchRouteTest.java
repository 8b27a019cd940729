package io.streamlip.filter.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The fetch stage's router: only pairs with a URL, no bytes and an acceptable text go to the async
 * operator, and the peek at the first fields agrees with a full decode.
 */
class FetchRouteTest {
    private final AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
    private final FetchRoute route =
            new FetchRoute(
                    FilterConfig.defaults(),
                    new OutputTag<>("to-fetch", TypeInformation.of(KafkaEnvelope.class)));

    @Test
    void onlyUrlOnlyPairsWithAnAcceptableTextAreFetched() {
        RawPair inline = new SyntheticPairs(32).pairs(1, 5).next();
        RawPair urlOnly = urlOnly(inline, "https://images.example/a.png");
        RawPair both = RawPair.newBuilder(inline).setImageUrl("https://images.example/b").build();
        RawPair neither = RawPair.newBuilder(inline).setImage((ByteBuffer) null).build();
        RawPair doomed = RawPair.newBuilder(urlOnly).setAltText("").build();

        assertThat(route.needsFetch(envelope(serde.encode(urlOnly)))).isTrue();
        assertThat(route.needsFetch(envelope(serde.encode(inline)))).isFalse();
        assertThat(route.needsFetch(envelope(serde.encode(both)))).isFalse();
        assertThat(route.needsFetch(envelope(serde.encode(neither)))).isFalse();
        assertThat(route.needsFetch(envelope(serde.encode(doomed)))).isFalse();
        assertThat(route.needsFetch(envelope(new byte[] {1, 2, 3}))).isFalse();
        assertThat(route.needsFetch(envelope(null))).isFalse();
    }

    @Test
    void thePeekAgreesWithAFullDecode() {
        RawPairPeek peek = RawPairPeek.forRawPairs();
        Random random = new Random(7);
        SyntheticPairs synthetic = new SyntheticPairs(32);
        var pairs = synthetic.pairs(200, 11);
        while (pairs.hasNext()) {
            RawPair p = pairs.next();
            RawPair.Builder b = RawPair.newBuilder(p);
            if (random.nextBoolean()) {
                b.setImage((ByteBuffer) null);
            }
            if (random.nextBoolean()) {
                b.setImageUrl("http://h" + random.nextInt(9) + ".example/ü/" + p.getId());
            }
            RawPair pair = b.build();
            RawPairPeek.Peeked seen = peek.peek(serde.encode(pair));
            if (pair.getImage() != null) {
                assertThat(seen.kind()).isEqualTo(RawPairPeek.Kind.INLINE);
            } else if (pair.getImageUrl() != null) {
                assertThat(seen)
                        .isEqualTo(
                                new RawPairPeek.Peeked(RawPairPeek.Kind.URL, pair.getImageUrl()));
            } else {
                assertThat(seen.kind()).isEqualTo(RawPairPeek.Kind.NEITHER);
            }
        }
    }

    @Test
    void bytesThePeekCannotReadAreLeftToAFullDecode() throws Exception {
        RawPairPeek peek = RawPairPeek.forRawPairs();
        RawPair urlOnly =
                urlOnly(new SyntheticPairs(32).pairs(1, 5).next(), "https://images.example/a.png");
        byte[] encoded = serde.encode(urlOnly);
        // Cut inside the URL; a wrong fingerprint; no marker; a schema of another layout.
        assertThat(peek.peek(Arrays.copyOf(encoded, 20)).kind())
                .isEqualTo(RawPairPeek.Kind.UNKNOWN);
        byte[] otherFingerprint = encoded.clone();
        otherFingerprint[5] ^= 0x55;
        assertThat(peek.peek(otherFingerprint).kind()).isEqualTo(RawPairPeek.Kind.UNKNOWN);
        assertThat(peek.peek(new byte[12]).kind()).isEqualTo(RawPairPeek.Kind.UNKNOWN);
        Schema other =
                SchemaBuilder.record("RawPair")
                        .namespace("io.streamlip.schemas")
                        .fields()
                        .requiredString("image_url")
                        .endRecord();
        GenericRecord record = new GenericData.Record(other);
        record.put("image_url", "https://images.example/a.png");
        byte[] foreign =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other)
                        .encode(record)
                        .array();
        assertThat(peek.peek(foreign).kind()).isEqualTo(RawPairPeek.Kind.UNKNOWN);
    }

    private static RawPair urlOnly(RawPair p, String url) {
        return RawPair.newBuilder(p).setImage((ByteBuffer) null).setImageUrl(url).build();
    }

    private static KafkaEnvelope envelope(byte[] value) {
        return new KafkaEnvelope(null, value, "raw-pairs", 0, 0, 0);
    }
}
