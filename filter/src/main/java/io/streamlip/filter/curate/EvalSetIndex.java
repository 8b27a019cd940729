package io.streamlip.filter.curate;

import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The perceptual hashes and thumbnails of every image of the configured evaluation sets, and the
 * test whether an image is a near copy of one of them, in two steps: every evaluation image within
 * {@link NearDuplicateConfig#evalMaxDistance()} of the candidate's hash, then a confirmation on the
 * {@link PerceptualHash#thumbnail} (16 x 16 colour, within {@link
 * NearDuplicateConfig#evalMaxThumbnailDistance()}). The hash alone collides between different small
 * icons (docs/decisions/near-duplicates.md); the thumbnail tells them apart. A linear scan:
 * evaluation sets hold thousands of images, a scan of their hashes costs microseconds (one XOR and
 * popcount each).
 *
 * <p>{@link #entries} reads the sets' images once (in the Flink job: in the client, when the job is
 * built, for the broadcast stream of {@code DecontaminateFunction}); {@link #of} indexes entries
 * however they arrived.
 */
public final class EvalSetIndex {
    /** One evaluation image: its hash, its thumbnail and where it came from. */
    public record Entry(long phash, byte[] thumbnail, String name) implements Serializable {
        public Entry {
            Objects.requireNonNull(thumbnail, "thumbnail");
            Objects.requireNonNull(name, "name");
        }
    }

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
        return of(entries(config), config);
    }

    /** The index of {@code entries}, with the distances of {@code config}. */
    public static EvalSetIndex of(Collection<Entry> entries, NearDuplicateConfig config) {
        long[] hashes = new long[entries.size()];
        byte[][] thumbnails = new byte[entries.size()][];
        String[] names = new String[entries.size()];
        int i = 0;
        for (Entry e : entries) {
            hashes[i] = e.phash();
            thumbnails[i] = e.thumbnail();
            names[i] = e.name();
            i++;
        }
        return new EvalSetIndex(
                hashes,
                thumbnails,
                names,
                config.evalMaxDistance(),
                config.evalMaxThumbnailDistance());
    }

    /**
     * The hash and thumbnail of every image of every evaluation-set folder of {@code config}
     * (DESIGN.md format; an image named by several lines counts once), and of its crops by 1 to
     * {@link NearDuplicateConfig#evalCropPixels()} pixels a side; an unreadable image fails, naming
     * it.
     *
     * <p>The crops are there because an icon that fills its canvas loses ink at every edge when it
     * is cropped: the hash's ink window then moves and shrinks, and the copy's thumbnail lands
     * beyond the confirmation distance of the whole image's (on the emoji corpus, 9 of the 10
     * evaluation copies missed among 8,000 pairs were crops of 1 to 3 px a side, at thumbnail
     * distance 0.011 to 0.017), while it lies at distance 0 from the crop's own.
     */
    public static List<Entry> entries(NearDuplicateConfig config) {
        List<Entry> entries = new ArrayList<>();
        for (String folder : config.evalSets()) {
            Path root = Path.of(folder);
            Set<String> images = new LinkedHashSet<>();
            for (PairsFolder.Entry entry : PairsFolder.read(root)) {
                images.add(entry.image());
            }
            for (String image : images) {
                Path file = root.resolve(image);
                try {
                    BufferedImage decoded = Images.decode(Files.readAllBytes(file));
                    PerceptualHash.Fingerprint print = PerceptualHash.fingerprint(decoded);
                    entries.add(new Entry(print.phash(), print.thumbnail(), file.toString()));
                    for (int c = 1; c <= config.evalCropPixels(); c++) {
                        if (decoded.getWidth() <= 4 * c || decoded.getHeight() <= 4 * c) {
                            break;
                        }
                        PerceptualHash.Fingerprint crop =
                                PerceptualHash.fingerprint(
                                        decoded.getSubimage(
                                                c,
                                                c,
                                                decoded.getWidth() - 2 * c,
                                                decoded.getHeight() - 2 * c));
                        entries.add(
                                new Entry(
                                        crop.phash(),
                                        crop.thumbnail(),
                                        file + " cropped by " + c + " px a side"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read evaluation image " + file, e);
                } catch (Images.UndecodableImageException e) {
                    throw new IllegalArgumentException(
                            "evaluation image " + file + " cannot be decoded: " + e.getMessage(),
                            e);
                }
            }
        }
        return entries;
    }

    public int size() {
        return hashes.length;
    }

    /**
     * Refuses an image whose hash is {@code phash} and thumbnail {@code thumbnail} ({@link
     * PerceptualHash#thumbnail}) when it is within the hash distance of an evaluation image and its
     * thumbnail confirms it.
     */
    public Verdict<Long> check(long phash, byte[] thumbnail) {
        double bestThumbnail = Double.MAX_VALUE;
        int bestIndex = -1;
        for (int i = 0; i < hashes.length; i++) {
            if (PerceptualHash.distance(phash, hashes[i]) > maxDistance) {
                continue;
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
                            java.util.Locale.ROOT,
                            "image is within Hamming distance %d and thumbnail distance %.3f of"
                                    + " evaluation image %s",
                            PerceptualHash.distance(phash, hashes[bestIndex]),
                            bestThumbnail,
                            names[bestIndex]));
        }
        return Verdict.accept(phash);
    }
}
