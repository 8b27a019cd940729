package io.streamlip.filter.curate;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Reject;
import io.streamlip.schemas.RejectReason;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A curated pair on its way to deduplication, with its key and where its Kafka record came from, so
 * that a later reject ({@link #reject}) carries the original key, position and bytes. A Flink POJO,
 * also held in keyed and operator state.
 *
 * <p>The image travels once, in {@link #pair}: {@link #curated} keeps the record's bytes in {@link
 * #source} only when re-encoding the pair's {@link RawPair} would not give them back byte for byte
 * (a record written with an older schema, a text that was cut or not valid UTF-8); otherwise {@code
 * source.value} is null and a reject re-encodes the raw pair, which gives the same bytes. Envelopes
 * that still carry their bytes (built by older code, restored from a savepoint) reject with them.
 */
public class CuratedEnvelope {
    /** {@link DuplicateKey} of the pair. */
    public String duplicateKey;

    public CuratedPair pair;

    /** The {@link PerceptualHash#thumbnail} of the pair's image (near-duplicate confirmation). */
    public byte[] thumbnail;

    /**
     * The raw record the pair was decoded from: key and position, and its value only when {@link
     * #pair}'s raw pair does not re-encode to it (null otherwise).
     */
    public KafkaEnvelope source;

    public CuratedEnvelope() {}

    /** Carries {@code source} as given (its value too). */
    public CuratedEnvelope(
            String duplicateKey, CuratedPair pair, byte[] thumbnail, KafkaEnvelope source) {
        this.duplicateKey = duplicateKey;
        this.pair = pair;
        this.thumbnail = thumbnail;
        this.source = source;
    }

    /**
     * The envelope of {@code pair}, curated from {@code source}: the source's value is dropped when
     * {@code raw} re-encodes {@code pair}'s raw pair to exactly those bytes.
     */
    public static CuratedEnvelope curated(
            String duplicateKey,
            CuratedPair pair,
            byte[] thumbnail,
            KafkaEnvelope source,
            AvroSerde<RawPair> raw) {
        KafkaEnvelope kept = source;
        if (source.value != null && raw.encodesTo(pair.getPair(), source.value)) {
            kept =
                    new KafkaEnvelope(
                            source.key,
                            null,
                            source.topic,
                            source.partition,
                            source.offset,
                            source.timestamp);
        }
        return new CuratedEnvelope(duplicateKey, pair, thumbnail, kept);
    }

    /**
     * The reject of this pair: its id, the raw record's key and position, and as payload the raw
     * record's bytes, carried or re-encoded from {@link #pair} with {@code raw} (the same bytes:
     * see the class comment), so the pair can be looked at and replayed to the raw topic.
     */
    public Reject reject(String stage, RejectReason reason, String detail, AvroSerde<RawPair> raw) {
        byte[] value = source.value != null ? source.value : raw.encode(pair.getPair());
        KafkaEnvelope original =
                new KafkaEnvelope(
                        source.key,
                        value,
                        source.topic,
                        source.partition,
                        source.offset,
                        source.timestamp);
        return original.reject(pair.getPair().getId(), stage, reason, detail);
    }

    /** Explicit type information: the Avro field is serialized by Avro, nothing by Kryo. */
    public static TypeInformation<CuratedEnvelope> typeInfo() {
        return Types.POJO(
                CuratedEnvelope.class,
                Map.of(
                        "duplicateKey",
                        Types.STRING,
                        "pair",
                        EnvelopeStage.avroType(CuratedPair.class),
                        "thumbnail",
                        Types.PRIMITIVE_ARRAY(Types.BYTE),
                        "source",
                        TypeInformation.of(KafkaEnvelope.class)));
    }
}
