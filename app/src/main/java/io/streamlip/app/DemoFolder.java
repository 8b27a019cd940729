package io.streamlip.app;

import io.streamlip.ingest.importer.ImportRejects;
import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.ingest.pairs.PairsFolderImporter;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.ImagePreprocessor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * A user's pairs folder ({@link PairsFolder}) as the demo's data: the pairs to import, and a
 * held-out evaluation set from the same folder: a share of its distinct images chosen by their
 * SHA-256 (the same on every run; one picture under two names on one side only), never imported.
 * Why and how: docs/decisions/demo.md.
 *
 * @param importer the pairs to import: the folder's accepted lines less the held-out ones
 * @param evalSet the held-out folder, or null when there is none
 * @param heldOutImages distinct images held out
 * @param heldOutPairs lines held out (the importer's {@code skipped} {@value #HELD_OUT})
 * @param languages the languages the folder's accepted lines declare, sorted
 */
record DemoFolder(
        PairImporter importer,
        Path evalSet,
        long heldOutImages,
        long heldOutPairs,
        List<String> languages) {

    /** The importer's {@code skipped} reason for the lines held out for evaluation. */
    static final String HELD_OUT = "held_out";

    /**
     * Opens {@code folder} and writes its held-out part to {@code evalSet}.
     *
     * @param fraction share of the distinct images held out, in [0, 1)
     * @param maxImages most images held out (0: no limit)
     * @param imageSize the size the trainer evaluates at: a held-out image must preprocess to it
     * @throws IllegalArgumentException when the folder or its index is missing
     */
    static DemoFolder open(
            Path folder, double fraction, int maxImages, Path evalSet, int imageSize) {
        PairsFolderImporter all = PairsFolderImporter.open(folder, Instant.now());
        PairsFolder.Index index =
                PairsFolder.scan(
                        folder.toAbsolutePath().normalize(), PairsFolder.Bounds.defaults(), false);
        Set<String> languages = new TreeSet<>();
        index.entries().forEach(e -> languages.add(e.lang() == null ? "und" : e.lang()));
        Map<String, Held> held =
                fraction > 0 ? choose(index, fraction, maxImages, imageSize) : null;
        if (held == null || held.values().stream().map(Held::sha).distinct().count() < 2) {
            return new DemoFolder(all, null, 0, 0, List.copyOf(languages));
        }
        long pairs = 0;
        try (PairsFolder.Writer writer = new PairsFolder.Writer(evalSet)) {
            for (PairsFolder.Line line : index.lines()) {
                PairsFolder.Entry e = line.entry();
                Held h = held.get(e.image());
                if (h == null) {
                    continue;
                }
                String image = writer.image(h.sha() + extension(e.image()), h.bytes());
                String label = e.classLabel() == null ? e.image() : e.classLabel();
                writer.add(new PairsFolder.Entry(image, e.text(), e.lang(), label));
                pairs++;
            }
        }
        return new DemoFolder(
                new WithoutHeldOut(all, held.keySet(), pairs),
                evalSet,
                held.size(),
                pairs,
                List.copyOf(languages));
    }

    /** A held-out image: its bytes and their SHA-256 (hex). */
    private record Held(String sha, byte[] bytes) {}

    /** The held-out images by relative path. */
    private static Map<String, Held> choose(
            PairsFolder.Index index, double fraction, int maxImages, int imageSize) {
        ImagePreprocessor preprocessor = new ImagePreprocessor(imageSize);
        long limit = maxImages > 0 ? maxImages : Long.MAX_VALUE;
        Map<String, Held> candidates = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (PairsFolder.Line line : index.lines()) {
            String image = line.entry().image();
            if (!seen.add(image)) {
                continue;
            }
            byte[] bytes;
            try {
                bytes =
                        PairsFolder.readImage(
                                index.folder(),
                                image,
                                PairsFolder.Bounds.defaults().maxImageBytes());
            } catch (PairsFolder.Refused r) {
                continue; // the importer refuses it as a reject
            }
            byte[] sha = sha256(bytes);
            if (unit(sha) < fraction) {
                candidates.put(image, new Held(HexFormat.of().formatHex(sha), bytes));
            }
        }
        // Lowest hashes first: a limit keeps the same images whatever the folder's order.
        List<Map.Entry<String, Held>> ordered = new ArrayList<>(candidates.entrySet());
        ordered.sort(
                Comparator.comparing((Map.Entry<String, Held> e) -> e.getValue().sha())
                        .thenComparing(Map.Entry::getKey));
        Map<String, Held> held = new HashMap<>();
        Set<String> hashes = new HashSet<>();
        for (Map.Entry<String, Held> e : ordered) {
            Held h = e.getValue();
            if (!hashes.contains(h.sha()) && hashes.size() >= limit) {
                continue;
            }
            try {
                preprocessor.process(h.bytes());
            } catch (Images.UndecodableImageException | RuntimeException bad) {
                continue; // stays with the training pairs: the filter refuses it, counted
            }
            hashes.add(h.sha());
            held.put(e.getKey(), h);
        }
        return held;
    }

    /** The first 8 bytes of {@code sha} as a number in [0, 1). */
    static double unit(byte[] sha) {
        long v = ByteBuffer.wrap(sha, 0, 8).getLong() >>> 11; // 53 bits: exact in a double
        return v / (double) (1L << 53);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String extension(String path) {
        String name = Path.of(path).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot).replaceAll("[^A-Za-z0-9.]", "");
    }

    /**
     * Checks a user's evaluation folder: it must exist and every line must have a {@code class}
     * (the trainer's evaluation groups texts by it).
     */
    static void checkEvalSet(Path folder) {
        if (!Files.isRegularFile(folder.resolve(PairsFolder.INDEX))) {
            throw new IllegalArgumentException(
                    "evaluation set " + folder + " has no " + PairsFolder.INDEX);
        }
        List<PairsFolder.Entry> entries = PairsFolder.read(folder);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).classLabel() == null) {
                throw new IllegalArgumentException(
                        "evaluation set "
                                + folder
                                + ": pair "
                                + (i + 1)
                                + " ("
                                + entries.get(i).image()
                                + ") has no class");
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("evaluation set " + folder + " has no pairs");
        }
    }

    /** The folder's pairs less those of the held-out images. */
    private static final class WithoutHeldOut implements PairImporter {
        private final PairImporter all;
        private final Set<String> heldOut;
        private final long heldOutPairs;

        WithoutHeldOut(PairImporter all, Set<String> heldOut, long heldOutPairs) {
            this.all = all;
            this.heldOut = Set.copyOf(heldOut);
            this.heldOutPairs = heldOutPairs;
        }

        @Override
        public String name() {
            return all.name();
        }

        @Override
        public long expectedPairs() {
            return all.expectedPairs() - heldOutPairs;
        }

        @Override
        public Map<String, Long> skipped() {
            Map<String, Long> skipped = new HashMap<>(all.skipped());
            skipped.put(HELD_OUT, heldOutPairs);
            return skipped;
        }

        @Override
        public ImportRejects rejected() {
            return all.rejected();
        }

        @Override
        public Iterator<RawPair> pairs() {
            Iterator<RawPair> it = all.pairs();
            return new Iterator<>() {
                private RawPair ahead;

                @Override
                public boolean hasNext() {
                    while (ahead == null && it.hasNext()) {
                        RawPair p = it.next();
                        if (!heldOut.contains(p.getAttributes().get("image"))) {
                            ahead = p;
                        }
                    }
                    return ahead != null;
                }

                @Override
                public RawPair next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    RawPair p = ahead;
                    ahead = null;
                    return p;
                }
            };
        }
    }
}
