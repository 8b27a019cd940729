package io.streamlip.filter;

import io.streamlip.ingest.image.Images;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The perceptual hashes and thumbnails of every image of the configured evaluation sets, and the
 * test whether an image is a near copy of one of them, in two steps: every evaluation image within
 * {@link NearDuplicateConfig#evalMaxDistance()} of the candidate's hash, then a confirmation on the
 * {@link PerceptualHash#thumbnail} (16 x 16 colour, within {@link
 * NearDuplicateConfig#evalMaxThumbnailDistance()}). The hash alone collides between different small
 * icons (on the emoji corpus 37% of emoji have another emoji within 6 bits); the thumbnail tells
 * them apart. A linear scan: evaluation sets hold thousands of images, a scan of their hashes costs
 * microseconds (one XOR and popcount each), and the thumbnail is computed only on a hash match.
 */
public final class EvalSetIndex {
    private final long[] hashes;
    private final byte[][] thumbnails;
    private final String[] names;
    private final int maxDistance;
    private final double maxThumbnailDistance;

    EvalSetIndex(
            long[] hashes,
            byte[][] thumbnails,
            String[] names,
            int maxDistance,
            double maxThumbnailDistance) {
        this.hashes = hashes;
        this.thumbnails = thumbnails;
        this.names = names;
        this.maxDistance = maxDistance;
        this.maxThumbnailDistance = maxThumbnailDistance;
    }

    /** Hashes every image of every folder; an unreadable image fails the load, naming it. */
    public static EvalSetIndex load(NearDuplicateConfig config) {
        List<String> folders = config.evalSets();
        List<Long> hashes = new ArrayList<>();
        List<byte[]> thumbnails = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String folder : folders) {
            Path root = Path.of(folder);
            Set<String> images = new LinkedHashSet<>();
            for (PairsFolder.Entry entry : PairsFolder.read(root)) {
                images.add(entry.image());
            }
            for (String image : images) {
                Path file = root.resolve(image);
                try {
                    BufferedImage decoded = Images.decode(Files.readAllBytes(file));
                    hashes.add(PerceptualHash.of(decoded));
                    thumbnails.add(PerceptualHash.thumbnail(decoded));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read evaluation image " + file, e);
                } catch (Images.UndecodableImageException e) {
                    throw new IllegalArgumentException(
                            "evaluation image " + file + " cannot be decoded: " + e.getMessage(),
                            e);
                }
                names.add(file.toString());
            }
        }
        return new EvalSetIndex(
                hashes.stream().mapToLong(Long::longValue).toArray(),
                thumbnails.toArray(byte[][]::new),
                names.toArray(String[]::new),
                config.evalMaxDistance(),
                config.evalMaxThumbnailDistance());
    }

    public int size() {
        return hashes.length;
    }

    /**
     * Refuses {@code image} (whose hash is {@code phash}) when it is within the hash distance of an
     * evaluation image and its thumbnail confirms it.
     */
    public Verdict<Long> check(long phash, BufferedImage image) {
        byte[] thumbnail = null;
        double bestThumbnail = Double.MAX_VALUE;
        int bestIndex = -1;
        for (int i = 0; i < hashes.length; i++) {
            if (PerceptualHash.distance(phash, hashes[i]) > maxDistance) {
                continue;
            }
            if (thumbnail == null) {
                thumbnail = PerceptualHash.thumbnail(image);
            }
            double d = PerceptualHash.thumbnailDistance(thumbnail, thumbnails[i]);
            if (d < bestThumbnail) {
                bestThumbnail = d;
                bestIndex = i;
            }
        }
        if (bestIndex >= 0 && bestThumbnail <= maxThumbnailDistance) {
            return Verdict.refuse(
                    RejectReason.EVAL_CONTAMINATION,
                    String.format(
                            "image is within Hamming distance %d and thumbnail distance %.3f of"
                                    + " evaluation image %s",
                            PerceptualHash.distance(phash, hashes[bestIndex]),
                            bestThumbnail,
                            names[bestIndex]));
        }
        return Verdict.accept(phash);
    }
}
