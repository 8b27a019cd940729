package io.streamlip.filter;

import io.streamlip.ingest.flink.EnvelopeStage;
import io.streamlip.ingest.kafka.KafkaEnvelope;
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

    /** The raw record the pair was decoded from. */
    public KafkaEnvelope source;

    public CuratedEnvelope() {}

    public CuratedEnvelope(String duplicateKey, CuratedPair pair, KafkaEnvelope source) {
        this.duplicateKey = duplicateKey;
        this.pair = pair;
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
                        "source",
                        TypeInformation.of(KafkaEnvelope.class)));
    }
}
