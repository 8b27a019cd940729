package io.streamlip.ingest.noise;

import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.platform.image.Images;
import io.streamlip.schemas.RawPair;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The web-noise simulator: wraps a stream of clean pairs (the emoji corpus, synthetic pairs, a
 * pairs folder) in what a crawl delivers, each {@link NoiseKind} at its {@link NoiseConfig rate},
 * and says for every pair it emits what it did ({@link NoisyPair#kind()}).
 *
 * <p>Every clean pair is emitted unchanged, in order; after it, each kind is injected with its
 * rate, derived from that pair or from one of the recent clean pairs the simulator remembers. So a
 * duplicate always arrives after the pair it repeats, as a re-crawl would. Injected pairs get a
 * fresh id ({@code <origin id>#<n>}) that says nothing about their kind: the ground truth travels
 * beside the pair ({@link GroundTruth}), where the filters cannot see it.
 *
 * <p>A clean pair that exactly repeats an earlier clean pair of the source (same image bytes, same
 * caption up to NFC and whitespace) is labelled {@link NoiseKind#SOURCE_DUPLICATE}: the emoji
 * corpus has such repeats (a flag named alike in several languages), and a deduplicating filter is
 * right to refuse them.
 *
 * <p>Deterministic for a seed and an input order. Not thread-safe: one iterator per thread.
 */
public final class NoiseSimulator {
    /** An image of an evaluation set, with one of its texts. */
    public record EvalImage(byte[] image, String text, String lang) {
        public EvalImage {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(text, "text");
        }
    }

    private static final List<String> BOILERPLATE =
            List.of(
                    "IMG_%04d.jpg",
                    "DSC%05d.JPG",
                    "image%d.png",
                    "photo-%d.jpeg",
                    "click here",
                    "Click here to enlarge",
                    "click to enlarge image %d",
                    "https://www.example.com/images/%d.jpg",
                    "http://cdn.example.net/img/%d",
                    "www.example.org/gallery/%d",
                    "thumbnail",
                    "untitled",
                    "read more",
                    "%s%s%s%s%s%s%s%s",
                    "!!!!!!!!!!",
                    "spacer.gif");

    private final NoiseConfig config;
    private final List<EvalImage> evalImages;

    /**
     * @param evalImages images the {@link NoiseKind#EVAL_IMAGE} kind draws from; empty disables
     *     that kind
     */
    public NoiseSimulator(NoiseConfig config, List<EvalImage> evalImages) {
        this.config = Objects.requireNonNull(config, "config");
        this.evalImages = List.copyOf(evalImages);
    }

    public NoiseConfig config() {
        return config;
    }

    /**
     * Every image of the evaluation set in {@code folder} (DESIGN.md format), each with the first
     * text that names it.
     */
    public static List<EvalImage> evalImages(Path folder) {
        Map<String, EvalImage> byImage = new LinkedHashMap<>();
        for (PairsFolder.Entry entry : PairsFolder.read(folder)) {
            if (!byImage.containsKey(entry.image())) {
                try {
                    byImage.put(
                            entry.image(),
                            new EvalImage(
                                    Files.readAllBytes(folder.resolve(entry.image())),
                                    entry.text(),
                                    entry.lang()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(
                            "cannot read " + entry.image() + " of " + folder, e);
                }
            }
        }
        return List.copyOf(byImage.values());
    }

    /** The clean pairs of {@code clean} with noise injected, built as the iterator advances. */
    public Iterator<NoisyPair> wrap(Iterator<RawPair> clean) {
        return new Wrapper(clean);
    }

    private final class Wrapper implements Iterator<NoisyPair> {
        private final Iterator<RawPair> clean;
        private final SplittableRandom random = new SplittableRandom(config.seed());
        private final Deque<NoisyPair> pending = new ArrayDeque<>();
        private final List<RawPair> recent = new ArrayList<>();
        private final Set<Long> seen = new HashSet<>();
        private long injected;

        Wrapper(Iterator<RawPair> clean) {
            this.clean = clean;
        }

        @Override
        public boolean hasNext() {
            return !pending.isEmpty() || clean.hasNext();
        }

        @Override
        public NoisyPair next() {
            if (pending.isEmpty()) {
                if (!clean.hasNext()) {
                    throw new NoSuchElementException();
                }
                advance(clean.next());
            }
            return pending.removeFirst();
        }

        private void advance(RawPair pair) {
            byte[] image = bytes(pair.getImage());
            boolean repeat = !seen.add(fingerprint(image, pair.getAltText()));
            pending.add(
                    new NoisyPair(
                            pair, repeat ? NoiseKind.SOURCE_DUPLICATE : NoiseKind.CLEAN, null));
            remember(pair);
            for (NoiseKind kind : NoiseKind.values()) {
                double rate = config.rate(kind);
                if (rate > 0 && random.nextDouble() < rate) {
                    inject(kind, pair, image);
                }
            }
        }

        private void remember(RawPair pair) {
            if (recent.size() < config.memory()) {
                recent.add(pair);
            } else {
                recent.set(random.nextInt(recent.size()), pair);
            }
        }

        private void inject(NoiseKind kind, RawPair pair, byte[] image) {
            switch (kind) {
                case CORRUPT -> emit(kind, pair, ImageNoise.corrupt(random), null);
                case TRUNCATED ->
                        withDecoded(image, i -> ImageNoise.truncated(i, random), kind, pair);
                case BOMB -> emit(kind, pair, ImageNoise.bomb(random), null);
                case TINY -> withDecoded(image, i -> ImageNoise.tiny(i, random), kind, pair);
                case ASPECT -> withDecoded(image, i -> ImageNoise.aspect(i, random), kind, pair);
                case EXACT_DUPLICATE -> {
                    RawPair earlier = pick();
                    emit(kind, earlier, bytes(earlier.getImage()), null);
                }
                case NEAR_DUPLICATE -> {
                    RawPair earlier = pick();
                    withDecoded(
                            bytes(earlier.getImage()),
                            i -> ImageNoise.nearCopy(i, random),
                            kind,
                            earlier);
                }
                case MANY_CAPTIONS -> {
                    byte[] logo = Images.png(ImageNoise.logo(random));
                    for (int n = 0; n < config.captionsPerImage(); n++) {
                        RawPair donor = pick();
                        emit(kind, donor, logo, donor.getAltText() + " " + (n + 1));
                    }
                }
                case BOILERPLATE -> emit(kind, pair, image, boilerplate());
                case UNRELATED_CAPTION -> {
                    RawPair donor = pickOther(pair, true);
                    if (donor != null) {
                        emit(kind, pair, image, donor.getAltText());
                    }
                }
                case WRONG_LANGUAGE -> {
                    RawPair donor = pickOther(pair, false);
                    if (donor != null) {
                        emit(kind, pair, image, donor.getAltText());
                    }
                }
                case EVAL_IMAGE -> {
                    if (!evalImages.isEmpty()) {
                        EvalImage eval = evalImages.get(random.nextInt(evalImages.size()));
                        byte[] bytes = eval.image();
                        if (random.nextBoolean()) {
                            try {
                                bytes = ImageNoise.nearCopy(Images.decode(eval.image()), random);
                            } catch (Images.UndecodableImageException e) {
                                // keep the original bytes
                            }
                        }
                        RawPair base =
                                RawPair.newBuilder(pair)
                                        .setLangHint(
                                                eval.lang() == null
                                                        ? pair.getLangHint()
                                                        : eval.lang())
                                        .build();
                        emit(kind, base, bytes, eval.text());
                    }
                }
                default -> throw new IllegalStateException(kind + " is not injected");
            }
        }

        private void withDecoded(
                byte[] image,
                java.util.function.Function<BufferedImage, byte[]> damage,
                NoiseKind kind,
                RawPair pair) {
            try {
                emit(kind, pair, damage.apply(Images.decode(image)), null);
            } catch (Images.UndecodableImageException e) {
                // the source pair's image is itself broken: nothing to derive from
            }
        }

        private void emit(NoiseKind kind, RawPair from, byte[] image, String caption) {
            RawPair.Builder out =
                    RawPair.newBuilder(from)
                            .setId(from.getId() + "#" + (++injected))
                            .setImage(ByteBuffer.wrap(image));
            if (caption != null) {
                out.setAltText(caption);
            }
            pending.add(new NoisyPair(out.build(), kind, from.getId()));
        }

        private RawPair pick() {
            return recent.get(random.nextInt(recent.size()));
        }

        /** A recent pair of another image, in the same language or in another one; null if none. */
        private RawPair pickOther(RawPair pair, boolean sameLanguage) {
            for (int attempt = 0; attempt < 20; attempt++) {
                RawPair donor = pick();
                boolean same = Objects.equals(donor.getLangHint(), pair.getLangHint());
                if (same == sameLanguage
                        && !Objects.equals(donor.getAltText(), pair.getAltText())
                        && !Objects.equals(
                                donor.getAttributes().get("class"),
                                pair.getAttributes().get("class"))) {
                    return donor;
                }
            }
            return null;
        }

        private String boilerplate() {
            String template = BOILERPLATE.get(random.nextInt(BOILERPLATE.size()));
            if (template.startsWith("%s")) {
                String c = String.valueOf((char) ('a' + random.nextInt(26)));
                return c.repeat(8);
            }
            return template.contains("%")
                    ? String.format(java.util.Locale.ROOT, template, random.nextInt(100_000))
                    : template;
        }
    }

    /** A 64-bit fingerprint of (image bytes, caption up to NFC and whitespace). */
    static long fingerprint(byte[] image, String caption) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        digest.update(image);
        digest.update((byte) 0);
        String text =
                Normalizer.normalize(caption, Normalizer.Form.NFC).strip().replaceAll("\\s+", " ");
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
