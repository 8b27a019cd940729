package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.List;

/**
 * Near-duplicate removal and evaluation-set decontamination: the {@code PerceptualHash} finds
 * candidates, its colour thumbnail confirms them. Measurements: docs/decisions/near-duplicates.md.
 *
 * @param maxDistance Hamming distance making an earlier image a candidate near copy (default 12)
 * @param clusterCap most pairs one near-duplicate image cluster may contribute (default 64)
 * @param evalSets evaluation-set folders whose images must not be trained on (default none)
 * @param evalMaxDistance Hamming distance making an image a candidate evaluation image (default 12)
 * @param evalMaxThumbnailDistance largest thumbnail distance confirming an evaluation copy (0.011)
 * @param maxThumbnailDistance largest thumbnail distance confirming a near copy (default 0.014)
 * @param evalCropPixels evaluation images are also indexed cropped by 1 to this many pixels a side
 *     (default 3; 0: the whole image only)
 * @param bucketCacheBytes heap bytes per band task for decoded band buckets, the state staying the
 *     truth (default {@link #DEFAULT_BUCKET_CACHE_BYTES}, 32 MiB; 0: none)
 */
public record NearDuplicateConfig(
        int maxDistance,
        int clusterCap,
        List<String> evalSets,
        int evalMaxDistance,
        double evalMaxThumbnailDistance,
        double maxThumbnailDistance,
        int evalCropPixels,
        long bucketCacheBytes)
        implements Serializable {

    /**
     * The default heap budget of decoded band buckets per task ({@link #bucketCacheBytes()}): 32
     * MiB.
     */
    public static final long DEFAULT_BUCKET_CACHE_BYTES = 32L << 20;

    /** The default crops of each evaluation image also indexed ({@link #evalCropPixels()}). */
    public static final int DEFAULT_EVAL_CROP_PIXELS = 3;

    /** The default evaluation-copy thumbnail distance ({@link #evalMaxThumbnailDistance()}). */
    public static final double DEFAULT_EVAL_MAX_THUMBNAIL_DISTANCE = 0.011;

    /** The default near-copy thumbnail distance ({@link #maxThumbnailDistance()}). */
    public static final double DEFAULT_MAX_THUMBNAIL_DISTANCE = 0.014;

    public NearDuplicateConfig {
        if (maxDistance < 0 || maxDistance > 15) {
            throw new IllegalArgumentException(
                    "maxDistance must be in [0, 15], got " + maxDistance);
        }
        if (clusterCap < 1) {
            throw new IllegalArgumentException("clusterCap must be positive, got " + clusterCap);
        }
        evalSets = List.copyOf(evalSets);
        if (evalMaxDistance < 0 || evalMaxDistance > 32) {
            throw new IllegalArgumentException(
                    "evalMaxDistance must be in [0, 32], got " + evalMaxDistance);
        }
        if (!(evalMaxThumbnailDistance >= 0 && evalMaxThumbnailDistance <= 1)) {
            throw new IllegalArgumentException(
                    "evalMaxThumbnailDistance must be in [0, 1], got " + evalMaxThumbnailDistance);
        }
        if (!(maxThumbnailDistance >= 0 && maxThumbnailDistance <= 1)) {
            throw new IllegalArgumentException(
                    "maxThumbnailDistance must be in [0, 1], got " + maxThumbnailDistance);
        }
        if (evalCropPixels < 0 || evalCropPixels > 8) {
            throw new IllegalArgumentException(
                    "evalCropPixels must be in [0, 8], got " + evalCropPixels);
        }
        if (bucketCacheBytes < 0) {
            throw new IllegalArgumentException(
                    "bucketCacheBytes must be >= 0, got " + bucketCacheBytes);
        }
    }

    public static NearDuplicateConfig defaults() {
        return new NearDuplicateConfig(
                12,
                64,
                List.of(),
                12,
                DEFAULT_EVAL_MAX_THUMBNAIL_DISTANCE,
                DEFAULT_MAX_THUMBNAIL_DISTANCE,
                DEFAULT_EVAL_CROP_PIXELS,
                DEFAULT_BUCKET_CACHE_BYTES);
    }

    public NearDuplicateConfig withEvalSets(List<String> folders) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                folders,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withMaxDistance(int value) {
        return new NearDuplicateConfig(
                value,
                clusterCap,
                evalSets,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withClusterCap(int value) {
        return new NearDuplicateConfig(
                maxDistance,
                value,
                evalSets,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withEvalMaxDistance(int value) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                evalSets,
                value,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withEvalMaxThumbnailDistance(double value) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                evalSets,
                evalMaxDistance,
                value,
                maxThumbnailDistance,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withMaxThumbnailDistance(double value) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                evalSets,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                value,
                evalCropPixels,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withEvalCropPixels(int value) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                evalSets,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                value,
                bucketCacheBytes);
    }

    public NearDuplicateConfig withBucketCacheBytes(long value) {
        return new NearDuplicateConfig(
                maxDistance,
                clusterCap,
                evalSets,
                evalMaxDistance,
                evalMaxThumbnailDistance,
                maxThumbnailDistance,
                evalCropPixels,
                value);
    }
}
