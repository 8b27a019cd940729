package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.CuratedEnvelope;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** A pair with the near-duplicate image cluster it joined. A Flink POJO. */
public class ClusteredEnvelope {
    /** The cluster id: the {@link NearDuplicateIndex#imageId} of the image that started it. */
    public long cluster;

    public CuratedEnvelope envelope;

    public ClusteredEnvelope() {}

    public ClusteredEnvelope(long cluster, CuratedEnvelope envelope) {
        this.cluster = cluster;
        this.envelope = envelope;
    }

    /** Explicit type information, as {@link CuratedEnvelope#typeInfo()}. */
    public static TypeInformation<ClusteredEnvelope> typeInfo() {
        return Types.POJO(
                ClusteredEnvelope.class,
                Map.of("cluster", Types.LONG, "envelope", CuratedEnvelope.typeInfo()));
    }
}
