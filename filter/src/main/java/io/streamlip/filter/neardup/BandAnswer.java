package io.streamlip.filter.neardup;

import io.streamlip.platform.flink.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What one band bucket knows of a pair: the cluster of an earlier image within the near-duplicate
 * distance that shares the band, or none. A Flink POJO, sent with its own serializer ({@link
 * #typeInfo()}).
 */
public class BandAnswer {
    public String pairKey;

    /** Whether the bucket held an earlier image within the distance. */
    public boolean found;

    /** The cluster of that image (when found). */
    public long cluster;

    /** When that cluster was started (when found): the oldest answer wins. */
    public long clusterTime;

    public BandAnswer() {}

    public BandAnswer(String pairKey, boolean found, long cluster, long clusterTime) {
        this.pairKey = pairKey;
        this.found = found;
        this.cluster = cluster;
        this.clusterTime = clusterTime;
    }

    /** Type information with the compact {@link BandAnswerSerializer}. */
    public static TypeInformation<BandAnswer> typeInfo() {
        return new SerializerTypeInfo<>(BandAnswer.class, BandAnswerSerializer.INSTANCE);
    }
}
