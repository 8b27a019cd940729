package io.streamlip.filter.config;

import java.io.Serializable;
import java.util.List;

/**
 * Near-duplicate removal and evaluation-set decontamination, both on the 64-bit {@code
 * PerceptualHash} confirmed by the 16 x 16 colour {@code PerceptualHash#thumbnail}.
 *
 * <p>The hash finds candidates (wide, for recall), the thumbnail confirms them (for precision): on
 * small icons the hash alone collides between different images, most often another vendor's drawing
 * of the same emoji, which carries the same caption and so looked like a near copy.
 *
 * @param maxDistance Hamming distance within which an earlier image is a candidate near copy
 *     (default 12 of 64 bits; measured on the emoji corpus, seeds 0 and 7 of the simulator: 97% of
 *     re-encoded, resized, cropped or shifted copies fall within 12, 90% within 8)
 * @param clusterCap most pairs one near-duplicate image cluster may contribute (default 64: an
 *     emoji named in 16 languages by 3 vendors whose drawings hash alike stays under it, a logo
 *     repeated on thousands of pages does not)
 * @param evalSets evaluation-set folders (DESIGN.md format: images and a {@code pairs.jsonl}) whose
 *     images must not be trained on (default none)
 * @param evalMaxDistance Hamming distance within which an image is a candidate evaluation image
 *     (default 12: wide, for recall; the thumbnail check below gives the precision)
 * @param evalMaxThumbnailDistance largest {@code PerceptualHash#thumbnailDistance} (mean absolute
 *     difference of 16 x 16 colour thumbnails, in [0, 1]) at which a candidate is confirmed as a
 *     copy of the evaluation image (default 0.011; measured on the emoji corpus, simulator seeds 0
 *     and 7 with 3,000 and 8,000 clean pairs: distance 12 and 0.011 keep 29 of 31 and 72 of 77
 *     injected evaluation images (plain and re-encoded, resized, cropped or shifted) and wrongly
 *     refuse 1 and 3 clean pairs, as many as distance 10 and 0.01, which kept 29 and 70; 0.012
 *     refuses 4 and 6 (another vendor's drawing of the same emoji lies from 0.004 on, mostly above
 *     0.0115); the hash alone at distance 4 refused 56 of 3,000)
 * @param maxThumbnailDistance largest {@code PerceptualHash#thumbnailDistance} at which a candidate
 *     within {@link #maxDistance} is confirmed as a near copy (default 0.014; measured on the emoji
 *     corpus, 3,000 and 8,000 clean pairs with 217 injected near copies: with distance 12 it keeps
 *     91-92% of the near copies and merges none of the 837 pairs of different vendors' drawings
 *     with the same caption, the closest of which lies at 0.0147; the hash alone at distance 8 kept
 *     90% and merged 43 of them)
 * @param evalCropPixels each evaluation image is also indexed cropped by 1 to this many pixels a
 *     side (default 3; 0: the whole image only), so that a crop of an icon that fills its canvas,
 *     whose ink window moves when ink is cut at the edges, is still confirmed ({@code
 *     EvalSetIndex#entries}); the index holds {@code 1 + evalCropPixels} entries per image.
 *     Measured with {@code bench curation} (emoji corpus, simulator seed 0, hash distance 12,
 *     thumbnail 0.011): evaluation-image recall 29 of 31 at 3,000 clean pairs and 75 of 85 at 8,000
 *     without crops, 31 of 31 and 83 of 85 with them, the clean pairs wrongly refused as evaluation
 *     images unchanged (1 and 3). The distances were left as they were: a hash distance of 16 would
 *     catch one more copy at 8,000 (84 of 85) but wrongly refuse twice the clean pairs (2 and 6)
 * @param bucketCacheBytes heap bytes each near-duplicate band task may spend on the band buckets it
 *     read last, decoded ({@code BucketCache}; default {@link #DEFAULT_BUCKET_CACHE_BYTES}, 32 MiB;
 *     0: none): a probe of a cached bucket reads nothing from the state backend. The state stays
 *     the truth (written through, restored as before). One image costs {@code maxDistance + 1}
 *     members of {@value BandMember#BYTES} bytes, so at distance 12 the default holds the buckets
 *     of about 40,000 images, the most recently probed first
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
