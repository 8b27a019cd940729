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
 * @param evalCropPixels evaluation images also indexed cropped by 1 to this many pixels (default 3)
 * @param bucketCacheBytes heap per band task for decoded band buckets (default 32 MiB; 0: none)
 * @param maxPendingBytes heap per join task for pairs awaiting answers, beyond it keyed state (64
 *     MiB)
 */
public record NearDuplicateConfig(
        int maxDistance,
        int clusterCap,
        List<String> evalSets,
        int evalMaxDistance,
        double evalMaxThumbnailDistance,
        double maxThumbnailDistance,
        int evalCropPixels,
        long bucketCacheBytes,
        long maxPendingBytes)
        implements Serializable {

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
        if (maxPendingBytes < 0) {
            throw new IllegalArgumentException(
                    "maxPendingBytes must be >= 0, got " + maxPendingBytes);
        }
    }

    /** The documented defaults. */
    public static NearDuplicateConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link NearDuplicateConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private int maxDistance = 12;
        private int clusterCap = 64;
        private List<String> evalSets = List.of();
        private int evalMaxDistance = 12;
        private double evalMaxThumbnailDistance = 0.011;
        private double maxThumbnailDistance = 0.014;
        private int evalCropPixels = 3;
        private long bucketCacheBytes = 32L << 20;
        private long maxPendingBytes = 64L << 20;

        private Builder() {}

        private Builder(NearDuplicateConfig c) {
            maxDistance = c.maxDistance;
            clusterCap = c.clusterCap;
            evalSets = c.evalSets;
            evalMaxDistance = c.evalMaxDistance;
            evalMaxThumbnailDistance = c.evalMaxThumbnailDistance;
            maxThumbnailDistance = c.maxThumbnailDistance;
            evalCropPixels = c.evalCropPixels;
            bucketCacheBytes = c.bucketCacheBytes;
            maxPendingBytes = c.maxPendingBytes;
        }

        public Builder maxDistance(int value) {
            maxDistance = value;
            return this;
        }

        public Builder clusterCap(int value) {
            clusterCap = value;
            return this;
        }

        public Builder evalSets(List<String> value) {
            evalSets = value;
            return this;
        }

        public Builder evalMaxDistance(int value) {
            evalMaxDistance = value;
            return this;
        }

        public Builder evalMaxThumbnailDistance(double value) {
            evalMaxThumbnailDistance = value;
            return this;
        }

        public Builder maxThumbnailDistance(double value) {
            maxThumbnailDistance = value;
            return this;
        }

        public Builder evalCropPixels(int value) {
            evalCropPixels = value;
            return this;
        }

        public Builder bucketCacheBytes(long value) {
            bucketCacheBytes = value;
            return this;
        }

        public Builder maxPendingBytes(long value) {
            maxPendingBytes = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public NearDuplicateConfig build() {
            return new NearDuplicateConfig(
                    maxDistance,
                    clusterCap,
                    evalSets,
                    evalMaxDistance,
                    evalMaxThumbnailDistance,
                    maxThumbnailDistance,
                    evalCropPixels,
                    bucketCacheBytes,
                    maxPendingBytes);
        }
    }
}
