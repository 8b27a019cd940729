package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.platform.flink.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The band keys of a pair's perceptual hash that one {@link BandLookupOperator} task owns, sent to
 * that task in one message ({@link ProbeGroups}: at parallelism 1, all of a pair's bands). A Flink
 * POJO, sent with its own serializer ({@link #typeInfo()}).
 */
public class BandProbe {
    /** {@link NearDuplicateStages#pairKey} of the pair. */
    public String pairKey;

    /**
     * {@link LshBands} keys (band number in the top byte), all in key groups of the same task; the
     * first routes the message.
     */
    public long[] bandKeys;

    public long phash;

    /** The {@link PerceptualHash#thumbnail} of the pair's image. */
    public byte[] thumbnail;

    /** {@link NearDuplicateIndex#imageId} of the pair's image. */
    public long imageId;

    /** The pair's record time, which orders clusters by age. */
    public long time;

    /** {@link ThumbnailSums#of} the thumbnail, computed once for all the pair's probes. */
    public long[] thumbnailSums;

    public BandProbe() {}

    /** A probe of one band whose thumbnail summary is computed here. */
    public BandProbe(
            String pairKey, long bandKey, long phash, byte[] thumbnail, long imageId, long time) {
        this(
                pairKey,
                new long[] {bandKey},
                phash,
                thumbnail,
                imageId,
                time,
                ThumbnailSums.of(thumbnail));
    }

    public BandProbe(
            String pairKey,
            long[] bandKeys,
            long phash,
            byte[] thumbnail,
            long imageId,
            long time,
            long[] thumbnailSums) {
        this.pairKey = pairKey;
        this.bandKeys = bandKeys;
        this.phash = phash;
        this.thumbnail = thumbnail;
        this.imageId = imageId;
        this.time = time;
        this.thumbnailSums = thumbnailSums;
    }

    /** Type information with the compact {@link BandProbeSerializer}. */
    public static TypeInformation<BandProbe> typeInfo() {
        return new SerializerTypeInfo<>(BandProbe.class, BandProbeSerializer.INSTANCE);
    }
}
