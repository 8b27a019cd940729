package io.streamlip.ingest.emoji;

import io.streamlip.ingest.pairs.PairsFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the held-out evaluation set: the {@code twitter} images, a style the model never trains
 * on, with their CLDR names, as a pairs folder (DESIGN.md, "Evaluation sets").
 *
 * <p>{@code images/<class>.png}, and one {@code pairs.jsonl} line per (image, locale that names
 * it): {@code {"image": "images/1f600.png", "text": "grinning face", "lang": "en", "class":
 * "1f600"}}. The class is the emoji's lower-case code points. An emoji is a candidate when twitter
 * draws it and at least one of the locales names it; a locale without a name for it gets no line.
 */
public final class EmojiEvalSet {
    private static final Logger LOG = LoggerFactory.getLogger(EmojiEvalSet.class);

    /** Ten widely spoken languages in eight scripts. */
    public static final List<String> DEFAULT_LOCALES =
            List.of("en", "de", "fr", "es", "pt", "ru", "ar", "hi", "ja", "zh");

    /**
     * What to write.
     *
     * @param locales locales of the texts, BCP 47 or CLDR ids (default {@link #DEFAULT_LOCALES});
     *     empty for every locale that names at least one emoji
     * @param maxClasses at most this many emoji, a sample fixed by {@code seed}; 0 (the default)
     *     for all
     * @param seed the seed of the sample (default 42)
     * @param skinTones whether skin-tone variants are classes too (default false)
     */
    public record Config(List<String> locales, int maxClasses, long seed, boolean skinTones) {
        public Config {
            locales = List.copyOf(locales);
            if (maxClasses < 0) {
                throw new IllegalArgumentException(
                        "maxClasses must be 0 (all) or positive, got " + maxClasses);
            }
        }

        /** {@link #DEFAULT_LOCALES}, every base emoji, seed 42. */
        public static Config defaults() {
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
         * Builds {@link Config}; each setting starts at its default and is named as its component.
         */
        public static final class Builder {
            private List<String> locales = DEFAULT_LOCALES;
            private int maxClasses = 0;
            private long seed = 42;
            private boolean skinTones = false;

            private Builder() {}

            private Builder(Config c) {
                locales = c.locales;
                maxClasses = c.maxClasses;
                seed = c.seed;
                skinTones = c.skinTones;
            }

            public Builder locales(List<String> value) {
                locales = value;
                return this;
            }

            public Builder maxClasses(int value) {
                maxClasses = value;
                return this;
            }

            public Builder seed(long value) {
                seed = value;
                return this;
            }

            public Builder skinTones(boolean value) {
                skinTones = value;
                return this;
            }

            /** The configuration; the record's constructor checks it. */
            public Config build() {
                return new Config(locales, maxClasses, seed, skinTones);
            }
        }
    }

    /**
     * What was written.
     *
     * @param folder the evaluation set
     * @param classes emoji (= images) written
     * @param lines lines of {@code pairs.jsonl}
     * @param perLanguage lines per locale
     */
    public record Result(
            Path folder, int classes, long lines, SortedMap<String, Long> perLanguage) {}

    private EmojiEvalSet() {}

    /**
     * Writes the {@link EmojiData#HELD_OUT_VENDOR} evaluation set into {@code folder}, which must
     * not hold a {@code pairs.jsonl} yet.
     */
    public static Result write(EmojiData data, Path folder, Config config) {
        if (Files.exists(folder.resolve(PairsFolder.INDEX))) {
            throw new IllegalArgumentException(
                    folder
                            + " already holds an evaluation set ("
                            + PairsFolder.INDEX
                            + "); delete it or choose another folder");
        }
        String vendor = EmojiData.HELD_OUT_VENDOR;
        VendorPackage pkg =
                VendorPackage.read(
                        data.require(EmojiData.vendorPackage(vendor)), vendor, config.skinTones());
        CldrNames.Selection selection =
                CldrNames.load(data, pkg.catalogue(), config.locales(), false);
        List<String> locales = selection.locales();

        List<EmojiImage> candidates = new ArrayList<>();
        for (EmojiImage image : pkg.catalogue()) {
            if (image.vendors().contains(vendor)
                    && pkg.pngs().containsKey(image.imageFile())
                    && locales.stream()
                            .anyMatch(l -> selection.names().find(l, image.lookupKeys()) != null)) {
                candidates.add(image);
            }
        }
        List<EmojiImage> chosen = sample(candidates, config.maxClasses(), config.seed());

        SortedMap<String, Long> perLanguage = new TreeMap<>();
        long lines;
        try (PairsFolder.Writer out = new PairsFolder.Writer(folder)) {
            for (EmojiImage image : chosen) {
                String relative =
                        out.image(image.classLabel() + ".png", pkg.pngs().get(image.imageFile()));
                List<String> keys = image.lookupKeys();
                for (String locale : locales) {
                    CldrNames.Name name = selection.names().find(locale, keys);
                    if (name != null) {
                        out.add(
                                new PairsFolder.Entry(
                                        relative, name.tts(), locale, image.classLabel()));
                        perLanguage.merge(locale, 1L, Long::sum);
                    }
                }
            }
            lines = out.lines();
        }
        LOG.info(
                "wrote the {} evaluation set to {}: {} classes of {} candidates, {} lines in {}"
                        + " locales",
                vendor,
                folder,
                chosen.size(),
                candidates.size(),
                lines,
                perLanguage.size());
        return new Result(
                folder, chosen.size(), lines, Collections.unmodifiableSortedMap(perLanguage));
    }

    // A seeded sample that keeps the catalogue order, so the file reads in Unicode order.
    private static List<EmojiImage> sample(List<EmojiImage> candidates, int max, long seed) {
        if (max == 0 || max >= candidates.size()) {
            return candidates;
        }
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            indices.add(i);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = indices.size() - 1; i > 0; i--) {
            Collections.swap(indices, i, random.nextInt(i + 1));
        }
        return indices.subList(0, max).stream()
                .sorted(Comparator.naturalOrder())
                .map(candidates::get)
                .toList();
    }
}
