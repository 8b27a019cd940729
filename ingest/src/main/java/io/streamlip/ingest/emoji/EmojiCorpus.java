package io.streamlip.ingest.emoji;

import io.streamlip.ingest.importer.PairImporter;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emoji x CLDR training corpus: every vendor image of an emoji paired with the emoji's name in
 * every locale that names it (its size: docs/decisions/emoji-corpus.md). A pair is {@code id =
 * emoji:<vendor>:<class>:<locale>:<n>}, the vendor's 64 px PNG (a copy the pair owns), the locale's
 * {@code tts} name as {@code alt_text} (unique in a locale, unlike keywords, which {@link
 * Config#keywordPairs()} adds as {@code n = 1}), {@code source = emoji:<vendor>}, the locale as
 * {@code lang_hint}, and the attributes {@code class}, {@code vendor}, {@code category}, {@code
 * subcategory}, {@code text_kind} and, for a skin-tone variant, {@code base_class}. The {@code
 * twitter} images are held out ({@link EmojiEvalSet}). Opening reads the images and names into
 * memory; {@link #pairs()} builds pairs one at a time. Skip reasons ({@link #skipped()}): {@value
 * #SKIP_NO_NAME}, {@value #SKIP_NOT_DRAWN}, {@value #SKIP_IMAGE_MISSING}.
 */
public final class EmojiCorpus implements PairImporter {
    private static final Logger LOG = LoggerFactory.getLogger(EmojiCorpus.class);

    /** The locale has no name for the emoji. */
    public static final String SKIP_NO_NAME = "no-name-in-locale";

    /** The vendor does not draw the emoji. */
    public static final String SKIP_NOT_DRAWN = "not-drawn-by-vendor";

    /** The catalogue lists the vendor's image but the package does not contain it. */
    public static final String SKIP_IMAGE_MISSING = "image-missing-from-package";

    /**
     * The demo's languages, 16 in 8 scripts (Latin, Cyrillic, Greek, Arabic, Devanagari, Han, kana,
     * Hangul): the locales its stream carries by default. The one list: the demo, its benchmark and
     * the captioner presets' language prompts all read it.
     */
    public static final List<String> DEMO_LANGUAGES =
            List.of(
                    "en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "el", "ar", "hi",
                    "ja", "zh", "ko");

    /** Separator of the keywords in a keyword pair, as in CLDR's own annotation files. */
    public static final String KEYWORD_SEPARATOR = " | ";

    /** The order pairs come in. */
    public enum Order {
        /**
         * A seeded random order over all vendors, emoji, locales (and text kinds), so that any
         * stretch of the stream mixes images and languages: the trainer's shuffle buffer is
         * bounded, and an image's ~100 names in a row would put one image many times in a batch.
         */
        SHUFFLED,
        /** Vendor by vendor, emoji in Unicode order, all names of one image in a row. */
        CATALOGUE
    }

    /**
     * What to import.
     *
     * @param vendors vendors whose images to use (default google, apple, facebook; never twitter)
     * @param locales locales to use, BCP 47 or CLDR ids; empty (the default) for every locale that
     *     names at least one emoji
     * @param skinTones whether the skin-tone variants are imported too (default false: base emoji
     *     only)
     * @param keywordPairs whether each (image, locale) also gets a pair whose text is the keyword
     *     list (default false)
     * @param order the order of the pairs (default {@link Order#SHUFFLED})
     * @param seed the seed of the shuffled order (default 0)
     * @param crawlTime the {@code crawl_time} of every pair; null (the default) for the time the
     *     corpus is opened
     */
    public record Config(
            List<String> vendors,
            List<String> locales,
            boolean skinTones,
            boolean keywordPairs,
            Order order,
            long seed,
            Instant crawlTime) {

        public Config {
            vendors = List.copyOf(vendors);
            locales = List.copyOf(locales);
            Objects.requireNonNull(order, "order");
            if (vendors.isEmpty()) {
                throw new IllegalArgumentException("at least one vendor is needed");
            }
            for (String vendor : vendors) {
                if (vendor.equals(EmojiData.HELD_OUT_VENDOR)) {
                    throw new IllegalArgumentException(
                            "the '"
                                    + EmojiData.HELD_OUT_VENDOR
                                    + "' emoji are the held-out evaluation style and are never"
                                    + " imported for training; train on "
                                    + EmojiData.TRAINING_VENDORS
                                    + " and write the "
                                    + EmojiData.HELD_OUT_VENDOR
                                    + " images as an evaluation set with EmojiEvalSet.write");
                }
                EmojiData.vendorPackage(vendor); // rejects unknown vendors
            }
            if (vendors.stream().distinct().count() != vendors.size()) {
                throw new IllegalArgumentException("vendors listed twice: " + vendors);
            }
        }

        /** google, apple and facebook; every locale; base emoji; names only; shuffled, seed 0. */
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
            private List<String> vendors = EmojiData.TRAINING_VENDORS;
            private List<String> locales = List.of();
            private boolean skinTones = false;
            private boolean keywordPairs = false;
            private Order order = Order.SHUFFLED;
            private long seed = 0;
            private Instant crawlTime = null;

            private Builder() {}

            private Builder(Config c) {
                vendors = c.vendors;
                locales = c.locales;
                skinTones = c.skinTones;
                keywordPairs = c.keywordPairs;
                order = c.order;
                seed = c.seed;
                crawlTime = c.crawlTime;
            }

            public Builder vendors(List<String> value) {
                vendors = value;
                return this;
            }

            public Builder locales(List<String> value) {
                locales = value;
                return this;
            }

            public Builder skinTones(boolean value) {
                skinTones = value;
                return this;
            }

            public Builder keywordPairs(boolean value) {
                keywordPairs = value;
                return this;
            }

            public Builder order(Order value) {
                order = value;
                return this;
            }

            public Builder seed(long value) {
                seed = value;
                return this;
            }

            public Builder crawlTime(Instant value) {
                crawlTime = value;
                return this;
            }

            /** The configuration; the record's constructor checks it. */
            public Config build() {
                return new Config(
                        vendors, locales, skinTones, keywordPairs, order, seed, crawlTime);
            }
        }
    }

    // A planned pair is packed into a long: vendor | image | locale | text kind.
    private static final int KIND_BITS = 1;
    private static final int LOCALE_BITS = 11;
    private static final int IMAGE_BITS = 20;

    private final Config config;
    private final Instant crawlTime;
    private final List<VendorPackage> vendors;
    private final List<String> locales;
    // names[v][i * locales + l]: what locale l calls image i of vendor v (null: nothing)
    private final CldrNames.Name[][] names;
    private final long[] plan;
    private final SortedMap<String, Long> skipped;

    private EmojiCorpus(
            Config config,
            List<VendorPackage> vendors,
            List<String> locales,
            CldrNames.Name[][] names,
            long[] plan,
            SortedMap<String, Long> skipped) {
        this.config = config;
        this.crawlTime = config.crawlTime() != null ? config.crawlTime() : Instant.now();
        this.vendors = vendors;
        this.locales = locales;
        this.names = names;
        this.plan = plan;
        this.skipped = Collections.unmodifiableSortedMap(skipped);
    }

    /**
     * Reads the tarballs {@code config} needs from {@code data} (which must hold them: see {@link
     * EmojiData#ensure()}) and plans the import.
     */
    public static EmojiCorpus open(EmojiData data, Config config) {
        long start = System.nanoTime();
        List<VendorPackage> vendors = new ArrayList<>();
        List<EmojiImage> allImages = new ArrayList<>();
        for (String vendor : config.vendors()) {
            VendorPackage pkg =
                    VendorPackage.read(
                            data.require(EmojiData.vendorPackage(vendor)),
                            vendor,
                            config.skinTones());
            vendors.add(pkg);
            allImages.addAll(pkg.catalogue());
        }
        CldrNames.Selection selection =
                CldrNames.load(data, allImages, config.locales(), config.keywordPairs());
        List<String> locales = selection.locales();
        if (locales.size() >= 1 << LOCALE_BITS) {
            throw new IllegalStateException("too many locales: " + locales.size());
        }

        SortedMap<String, Long> skipped = new TreeMap<>();
        CldrNames.Name[][] names = new CldrNames.Name[vendors.size()][];
        LongStream.Builder plan = LongStream.builder();
        for (int v = 0; v < vendors.size(); v++) {
            VendorPackage pkg = vendors.get(v);
            List<EmojiImage> catalogue = pkg.catalogue();
            if (catalogue.size() >= 1 << IMAGE_BITS) {
                throw new IllegalStateException("too many images: " + catalogue.size());
            }
            names[v] = new CldrNames.Name[catalogue.size() * locales.size()];
            for (int i = 0; i < catalogue.size(); i++) {
                EmojiImage image = catalogue.get(i);
                if (!image.vendors().contains(pkg.vendor())) {
                    skipped.merge(SKIP_NOT_DRAWN, (long) locales.size(), Long::sum);
                    continue;
                }
                if (!pkg.pngs().containsKey(image.imageFile())) {
                    skipped.merge(SKIP_IMAGE_MISSING, (long) locales.size(), Long::sum);
                    continue;
                }
                List<String> keys = image.lookupKeys();
                for (int l = 0; l < locales.size(); l++) {
                    CldrNames.Name name = selection.names().find(locales.get(l), keys);
                    if (name == null) {
                        skipped.merge(SKIP_NO_NAME, 1L, Long::sum);
                        continue;
                    }
                    names[v][i * locales.size() + l] = name;
                    plan.add(pack(v, i, l, 0));
                    if (config.keywordPairs() && !name.keywords().isEmpty()) {
                        plan.add(pack(v, i, l, 1));
                    }
                }
            }
        }
        long[] planned = plan.build().toArray();
        if (config.order() == Order.SHUFFLED) {
            shuffle(planned, new SplittableRandom(config.seed()));
        }
        EmojiCorpus corpus =
                new EmojiCorpus(config, List.copyOf(vendors), locales, names, planned, skipped);
        LOG.info(
                "emoji corpus: {} pairs from {} in {} locales (skipped {}), opened in {} ms",
                planned.length,
                config.vendors(),
                locales.size(),
                skipped,
                (System.nanoTime() - start) / 1_000_000);
        return corpus;
    }

    @Override
    public String name() {
        return "emoji";
    }

    @Override
    public long expectedPairs() {
        return plan.length;
    }

    @Override
    public Map<String, Long> skipped() {
        return skipped;
    }

    public Config config() {
        return config;
    }

    /** The locales pairs come in, as BCP 47 tags. */
    public List<String> locales() {
        return locales;
    }

    /** Images (base emoji, and variants if configured) each vendor has a PNG of. */
    public Map<String, Integer> imagesPerVendor() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (VendorPackage pkg : vendors) {
            int n = 0;
            for (EmojiImage image : pkg.catalogue()) {
                if (image.vendors().contains(pkg.vendor())
                        && pkg.pngs().containsKey(image.imageFile())) {
                    n++;
                }
            }
            counts.put(pkg.vendor(), n);
        }
        return counts;
    }

    @Override
    public Iterator<RawPair> pairs() {
        return Arrays.stream(plan).mapToObj(this::pair).iterator();
    }

    private RawPair pair(long code) {
        boolean keywords = (code & 1) == 1;
        int l = (int) ((code >>> KIND_BITS) & ((1 << LOCALE_BITS) - 1));
        int i = (int) ((code >>> (KIND_BITS + LOCALE_BITS)) & ((1 << IMAGE_BITS) - 1));
        int v = (int) (code >>> (KIND_BITS + LOCALE_BITS + IMAGE_BITS));
        VendorPackage pkg = vendors.get(v);
        EmojiImage image = pkg.catalogue().get(i);
        String locale = locales.get(l);
        CldrNames.Name name = names[v][i * locales.size() + l];

        Map<String, String> attributes = new HashMap<>(8);
        attributes.put("class", image.classLabel());
        attributes.put("vendor", pkg.vendor());
        attributes.put("category", image.category());
        attributes.put("subcategory", image.subcategory());
        attributes.put("text_kind", keywords ? "keywords" : "tts");
        if (image.isSkinToneVariant()) {
            attributes.put("base_class", image.baseUnified().toLowerCase(java.util.Locale.ROOT));
        }
        return RawPair.newBuilder()
                .setId(
                        "emoji:"
                                + pkg.vendor()
                                + ":"
                                + image.classLabel()
                                + ":"
                                + locale
                                + ":"
                                + (keywords ? 1 : 0))
                .setImage(ByteBuffer.wrap(pkg.pngs().get(image.imageFile()).clone()))
                .setAltText(keywords ? String.join(KEYWORD_SEPARATOR, name.keywords()) : name.tts())
                .setSource("emoji:" + pkg.vendor())
                .setCrawlTime(crawlTime)
                .setLangHint(locale)
                .setAttributes(attributes)
                .build();
    }

    private static long pack(int vendor, int image, int locale, int kind) {
        return ((long) vendor << (KIND_BITS + LOCALE_BITS + IMAGE_BITS))
                | ((long) image << (KIND_BITS + LOCALE_BITS))
                | ((long) locale << KIND_BITS)
                | kind;
    }

    private static void shuffle(long[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
