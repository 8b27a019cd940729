package io.streamlip.filter;

import io.streamlip.ingest.image.Images;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The perceptual hashes of every image of the configured evaluation sets, and the test whether an
 * image is a near copy of one of them. A linear scan: evaluation sets hold thousands of images, a
 * scan of them costs microseconds (one XOR and popcount each).
 */
public final class EvalSetIndex {
    private final long[] hashes;
    private final String[] names;
    private final int maxDistance;

    EvalSetIndex(long[] hashes, String[] names, int maxDistance) {
        this.hashes = hashes;
        this.names = names;
        this.maxDistance = maxDistance;
    }

    /** Hashes every image of every folder; an unreadable image fails the load, naming it. */
    public static EvalSetIndex load(List<String> folders, int maxDistance) {
        List<Long> hashes = new ArrayList<>();
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
                    hashes.add(PerceptualHash.of(Images.decode(Files.readAllBytes(file))));
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
                names.toArray(String[]::new),
                maxDistance);
    }

    public int size() {
        return hashes.length;
    }

    /** Refuses {@code phash} when it is within the distance of an evaluation image. */
    public Verdict<Long> check(long phash) {
        int best = Integer.MAX_VALUE;
        int bestIndex = -1;
        for (int i = 0; i < hashes.length; i++) {
            int d = PerceptualHash.distance(phash, hashes[i]);
            if (d < best) {
                best = d;
                bestIndex = i;
            }
        }
        if (bestIndex >= 0 && best <= maxDistance) {
            return Verdict.refuse(
                    RejectReason.EVAL_CONTAMINATION,
                    "image is within Hamming distance "
                            + best
                            + " of evaluation image "
                            + names[bestIndex]);
        }
        return Verdict.accept(phash);
    }
}
