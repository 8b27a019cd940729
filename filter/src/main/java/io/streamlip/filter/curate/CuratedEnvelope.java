package io.streamlip.filter.curate;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.CuratedPair;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A curated pair on its way to deduplication, with its key and the Kafka record it came from (so a
 * duplicate's reject carries the original key, position and bytes). A Flink POJO.
 */
public class CuratedEnvelope {
    /** {@link DuplicateKey} of the pair. */
    public String duplicateKey;

    public CuratedPair pair;

    /** The {@link PerceptualHash#thumbnail} of the pair's image (near-duplicate confirmation). */
    public byte[] thumbnail;

    /** The raw record the pair was decoded from. */
    public KafkaEnvelope source;

    public CuratedEnvelope() {}

    public CuratedEnvelope(
            String duplicateKey, CuratedPair pair, byte[] thumbnail, KafkaEnvelope source) {
        this.duplicateKey = duplicateKey;
        this.pair = pair;
        this.thumbnail = thumbnail;
        this.source = source;
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
