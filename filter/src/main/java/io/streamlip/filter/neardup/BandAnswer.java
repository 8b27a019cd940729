package io.streamlip.filter.neardup;

import io.streamlip.platform.flink.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the band buckets of one {@link BandProbe} know of a pair: the oldest cluster of an earlier
 * image within the near-duplicate distance that shares one of the bands, or none. A Flink POJO,
 * sent with its own serializer ({@link #typeInfo()}).
 */
public class BandAnswer {
    public String pairKey;

    /** How many band buckets answered (the probe's band keys). */
    public int bands;

    /** Whether the bucket held an earlier image within the distance. */
    public boolean found;

    /** The cluster of that image (when found). */
    public long cluster;

    /** When that cluster was started (when found): the oldest answer wins. */
    public long clusterTime;

    public BandAnswer() {}

    /** The answer of one band bucket. */
    public BandAnswer(String pairKey, boolean found, long cluster, long clusterTime) {
        this(pairKey, 1, found, cluster, clusterTime);
    }

    public BandAnswer(String pairKey, int bands, boolean found, long cluster, long clusterTime) {
        this.pairKey = pairKey;
        this.bands = bands;
        this.found = found;
        this.cluster = cluster;
        this.clusterTime = clusterTime;
    }

    /** Type information with the compact {@link BandAnswerSerializer}. */
    public static TypeInformation<BandAnswer> typeInfo() {
        return new SerializerTypeInfo<>(BandAnswer.class, BandAnswerSerializer.INSTANCE);
    }
}
