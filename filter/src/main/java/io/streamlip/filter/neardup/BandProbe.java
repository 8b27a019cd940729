package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.PerceptualHash;
import io.streamlip.platform.flink.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One band key of a pair's perceptual hash, sent to the {@link BandLookupFunction} that owns that
 * band bucket. A Flink POJO, sent with its own serializer ({@link #typeInfo()}).
 */
public class BandProbe {
    /** {@link NearDuplicateStages#pairKey} of the pair. */
    public String pairKey;

    /** The {@link LshBands} key, band number in the top byte. */
    public long bandKey;

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

    /** A probe whose thumbnail summary is computed here. */
    public BandProbe(
            String pairKey, long bandKey, long phash, byte[] thumbnail, long imageId, long time) {
        this(pairKey, bandKey, phash, thumbnail, imageId, time, ThumbnailSums.of(thumbnail));
    }

    public BandProbe(
            String pairKey,
            long bandKey,
            long phash,
            byte[] thumbnail,
            long imageId,
            long time,
            long[] thumbnailSums) {
        this.pairKey = pairKey;
        this.bandKey = bandKey;
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
