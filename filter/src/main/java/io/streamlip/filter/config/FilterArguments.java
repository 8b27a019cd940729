package io.streamlip.filter.config;

import io.streamlip.filter.fetch.FetchArguments;
import io.streamlip.filter.fetch.FetchConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The curation thresholds as named options, one source of truth for the filter job's own arguments
 * ({@code FilterJob.main}), the {@code streamlip demo} and {@code submit} options and the {@code
 * filter:} section of a configuration file. Each name maps to one {@link FilterConfig} setting;
 * {@link #apply} reads the given ones over a base configuration and names the option of a bad
 * value. The fetch stage's options are {@link FetchArguments}', read here too; the cross-modal
 * filter's are {@code CrossModalArguments}'.
 */
public final class FilterArguments {
    public static final String MIN_IMAGE_SIDE = "min-image-side";
    public static final String MAX_IMAGE_PIXELS = "max-image-pixels";
    public static final String MAX_IMAGE_BYTES = "max-image-bytes";
    public static final String MAX_ASPECT_RATIO = "max-aspect-ratio";
    public static final String MAX_DECODED_PIXELS = "max-decoded-pixels";
    public static final String MIN_CAPTION_CHARS = "min-caption-chars";
    public static final String MAX_CAPTION_CHARS = "max-caption-chars";
    public static final String BOILERPLATE = "boilerplate-filter";
    public static final String DEDUP_RETENTION = "dedup-retention";
    public static final String LANGUAGE_ID = "language-id";
    public static final String MIN_LANGUAGE_CONFIDENCE = "min-language-confidence";
    public static final String LANGUAGE_CAPS = "language-caps";
    public static final String LANGUAGE_CAP_WINDOW = "language-cap-window";
    public static final String NEAR_DUPLICATE_DISTANCE = "near-duplicate-distance";
    public static final String NEAR_DUPLICATE_CLUSTER_CAP = "near-duplicate-cluster-cap";
    public static final String NEAR_DUPLICATE_MAX_PENDING_MIB = "near-duplicate-max-pending-mib";
    public static final String EVAL_SETS = "eval-sets";
    public static final String EVAL_MAX_DISTANCE = "eval-max-distance";
    public static final String CAPTION_BLOCKLIST = "caption-blocklist";
    public static final String IMAGE_BLOCKLIST = "image-blocklist";
    public static final String BLOCKLIST_MAX_DISTANCE = "blocklist-max-distance";
    public static final String BLOCKLIST_TOPIC = "blocklist-topic";
    public static final String BLOCKLIST_MAX_ENTRIES = "blocklist-max-entries";

    /** Every option name (the fetch options last), in the order {@link #of} writes them. */
    public static final List<String> NAMES =
            concat(
                    List.of(
                            MIN_IMAGE_SIDE,
                            MAX_IMAGE_PIXELS,
                            MAX_IMAGE_BYTES,
                            MAX_ASPECT_RATIO,
                            MAX_DECODED_PIXELS,
                            MIN_CAPTION_CHARS,
                            MAX_CAPTION_CHARS,
                            BOILERPLATE,
                            DEDUP_RETENTION,
                            LANGUAGE_ID,
                            MIN_LANGUAGE_CONFIDENCE,
                            LANGUAGE_CAPS,
                            LANGUAGE_CAP_WINDOW,
                            NEAR_DUPLICATE_DISTANCE,
                            NEAR_DUPLICATE_CLUSTER_CAP,
                            NEAR_DUPLICATE_MAX_PENDING_MIB,
                            EVAL_SETS,
                            EVAL_MAX_DISTANCE,
                            CAPTION_BLOCKLIST,
                            IMAGE_BLOCKLIST,
                            BLOCKLIST_MAX_DISTANCE,
                            BLOCKLIST_TOPIC,
                            BLOCKLIST_MAX_ENTRIES),
                    FetchArguments.NAMES);

    private FilterArguments() {}

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /**
     * {@code base} with the options {@code given} returns a value for.
     *
     * @param given the value of an option by name, empty when not given
     * @throws IllegalArgumentException naming the option ({@code --name}) whose value is wrong
     */
    public static FilterConfig apply(Function<String, Optional<String>> given, FilterConfig base) {
        FilterConfig.Builder filter = base.toBuilder();
        TextQualityConfig.Builder text = base.text().toBuilder();
        LanguageConfig.Builder language = base.language().toBuilder();
        NearDuplicateConfig.Builder near = base.nearDuplicates().toBuilder();
        BlocklistConfig.Builder blocklist = base.blocklist().toBuilder();
        FetchConfig.Builder fetch = base.fetch().toBuilder();
        Settings s = new Settings(given);
        s.set(MIN_IMAGE_SIDE, v -> filter.minImageSide(Integer.parseInt(v)));
        s.set(MAX_IMAGE_PIXELS, v -> filter.maxImagePixels(Long.parseLong(v)));
        s.set(MAX_IMAGE_BYTES, v -> filter.maxImageBytes(Integer.parseInt(v)));
        s.set(MAX_ASPECT_RATIO, v -> filter.maxAspectRatio(Double.parseDouble(v)));
        s.set(MAX_DECODED_PIXELS, v -> filter.maxDecodedPixels(Long.parseLong(v)));
        s.set(MIN_CAPTION_CHARS, v -> filter.minCaptionChars(Integer.parseInt(v)));
        s.set(MAX_CAPTION_CHARS, v -> filter.maxCaptionChars(Integer.parseInt(v)));
        s.set(BOILERPLATE, v -> text.boilerplate(bool(v)));
        s.set(DEDUP_RETENTION, v -> filter.dedupRetention(duration(v)));
        s.set(LANGUAGE_ID, v -> language.enabled(bool(v)));
        s.set(MIN_LANGUAGE_CONFIDENCE, v -> language.minConfidence(Double.parseDouble(v)));
        s.set(
                LANGUAGE_CAPS,
                v -> {
                    LanguageConfig.CapSpec caps = LanguageConfig.parseCapSpec(v);
                    language.caps(caps.counts()).capShares(caps.shares());
                });
        s.set(LANGUAGE_CAP_WINDOW, v -> language.capWindow(LanguageConfig.parseWindow(v)));
        s.set(NEAR_DUPLICATE_DISTANCE, v -> near.maxDistance(Integer.parseInt(v)));
        s.set(NEAR_DUPLICATE_CLUSTER_CAP, v -> near.clusterCap(Integer.parseInt(v)));
        s.set(NEAR_DUPLICATE_MAX_PENDING_MIB, v -> near.maxPendingBytes(mebibytes(v)));
        s.set(EVAL_SETS, v -> near.evalSets(list(v)));
        s.set(EVAL_MAX_DISTANCE, v -> near.evalMaxDistance(Integer.parseInt(v)));
        s.set(CAPTION_BLOCKLIST, blocklist::captionTermsFile);
        s.set(IMAGE_BLOCKLIST, blocklist::imageHashesFile);
        s.set(BLOCKLIST_MAX_DISTANCE, v -> blocklist.maxPhashDistance(Integer.parseInt(v)));
        s.set(BLOCKLIST_TOPIC, v -> blocklist.followTopic(bool(v)));
        s.set(BLOCKLIST_MAX_ENTRIES, v -> blocklist.maxEntries(Integer.parseInt(v)));
        Map<String, FetchArguments.Setter> fetchSetters = new LinkedHashMap<>();
        FetchArguments.setters(fetch, fetchSetters);
        fetchSetters.forEach((name, setter) -> s.set(name, setter::set));
        // The nested records check their own values when built: name what was given.
        s.build("--" + BOILERPLATE, () -> filter.text(text.build()));
        s.build(
                "--" + LANGUAGE_ID + "/--" + MIN_LANGUAGE_CONFIDENCE + "/--language-cap*",
                () -> filter.language(language.build()));
        s.build("--near-duplicate-*/--eval-*", () -> filter.nearDuplicates(near.build()));
        s.build("--*blocklist*", () -> filter.blocklist(blocklist.build()));
        s.build("--fetch-*", () -> filter.fetch(fetch.build()));
        try {
            return filter.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the filter thresholds: " + e.getMessage(), e);
        }
    }

    /** {@code base} with the options of {@code given} (name to value). */
    public static FilterConfig apply(Map<String, String> given, FilterConfig base) {
        return apply(name -> Optional.ofNullable(given.get(name)), base);
    }

    /**
     * The options that make {@code config} when applied over {@link FilterConfig#defaults()}: one
     * {@code --name value} pair for each setting that differs from the default.
     */
    public static List<String> of(FilterConfig config) {
        Map<String, String> values = values(config);
        Map<String, String> defaults = values(FilterConfig.defaults());
        List<String> args = new ArrayList<>();
        values.forEach(
                (name, value) -> {
                    if (!value.equals(defaults.get(name))) {
                        args.addAll(List.of("--" + name, value));
                    }
                });
        return args;
    }

    /** Each option's value in {@code c}, as {@link #apply} reads it ("null": no file). */
    public static Map<String, String> values(FilterConfig c) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(MIN_IMAGE_SIDE, Integer.toString(c.minImageSide()));
        v.put(MAX_IMAGE_PIXELS, Long.toString(c.maxImagePixels()));
        v.put(MAX_IMAGE_BYTES, Integer.toString(c.maxImageBytes()));
        v.put(MAX_ASPECT_RATIO, Double.toString(c.maxAspectRatio()));
        v.put(MAX_DECODED_PIXELS, Long.toString(c.maxDecodedPixels()));
        v.put(MIN_CAPTION_CHARS, Integer.toString(c.minCaptionChars()));
        v.put(MAX_CAPTION_CHARS, Integer.toString(c.maxCaptionChars()));
        v.put(BOILERPLATE, Boolean.toString(c.text().boilerplate()));
        v.put(DEDUP_RETENTION, c.dedupRetention().toString());
        v.put(LANGUAGE_ID, Boolean.toString(c.language().enabled()));
        v.put(MIN_LANGUAGE_CONFIDENCE, Double.toString(c.language().minConfidence()));
        List<String> caps = new ArrayList<>();
        c.language().caps().forEach((lang, n) -> caps.add(lang + "=" + n));
        c.language().capShares().forEach((lang, share) -> caps.add(lang + "=" + share * 100 + "%"));
        v.put(LANGUAGE_CAPS, String.join(",", caps));
        v.put(LANGUAGE_CAP_WINDOW, c.language().capWindow().toString());
        v.put(NEAR_DUPLICATE_DISTANCE, Integer.toString(c.nearDuplicates().maxDistance()));
        v.put(NEAR_DUPLICATE_CLUSTER_CAP, Integer.toString(c.nearDuplicates().clusterCap()));
        v.put(
                NEAR_DUPLICATE_MAX_PENDING_MIB,
                Long.toString(c.nearDuplicates().maxPendingBytes() >> 20));
        v.put(EVAL_SETS, String.join(",", c.nearDuplicates().evalSets()));
        v.put(EVAL_MAX_DISTANCE, Integer.toString(c.nearDuplicates().evalMaxDistance()));
        v.put(CAPTION_BLOCKLIST, String.valueOf(c.blocklist().captionTermsFile()));
        v.put(IMAGE_BLOCKLIST, String.valueOf(c.blocklist().imageHashesFile()));
        v.put(BLOCKLIST_MAX_DISTANCE, Integer.toString(c.blocklist().maxPhashDistance()));
        v.put(BLOCKLIST_TOPIC, Boolean.toString(c.blocklist().followTopic()));
        v.put(BLOCKLIST_MAX_ENTRIES, Integer.toString(c.blocklist().maxEntries()));
        v.putAll(FetchArguments.values(c.fetch()));
        return v;
    }

    /**
     * A duration: {@code 0}, a number with a unit ({@code 90s}, {@code 10m}, {@code 6h}, {@code
     * 7d}) or ISO-8601 ({@code PT10M}, {@code P7D}).
     */
    public static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.matches("\\d+[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "expected a duration such as 90s, 10m, 6h, 7d or PT10M, got '" + text + "'");
        }
    }

    private static boolean bool(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on" -> true;
            case "false", "off" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "expected true or false, got '" + value + "'");
        };
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Applies each given option, naming it when its value is refused. */
    /** A size given in MiB, as bytes; a negative or overflowing one is refused. */
    static long mebibytes(String value) {
        long mib = Long.parseLong(value.trim());
        if (mib < 0 || mib > Long.MAX_VALUE >> 20) {
            throw new IllegalArgumentException(
                    "takes MiB in [0, " + (Long.MAX_VALUE >> 20) + "], got " + mib);
        }
        return mib << 20;
    }

    private record Settings(Function<String, Optional<String>> given) {
        interface Setter {
            void set(String value);
        }

        void set(String name, Setter setter) {
            Optional<String> value = given.apply(name);
            if (value.isEmpty()) {
                return;
            }
            try {
                setter.set(value.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--" + name + " takes a number, got '" + value.get() + "'", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
            }
        }

        void build(String names, Runnable build) {
            try {
                build.run();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(names + ": " + e.getMessage(), e);
            }
        }
    }
}
