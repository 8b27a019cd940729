package io.streamlip.ingest.emoji;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLDR names of emoji per locale, read from {@code cldr-annotations-full} ({@code
 * annotations/<locale>/annotations.json}: single emoji) and {@code cldr-annotations-derived-full}
 * ({@code annotationsDerived/...}: sequences, skin tones, flags) without extracting them.
 *
 * <p>Each locale holds only what it defines itself. CLDR's regional locales ({@code pt-PT}, {@code
 * en-AU}, ...) list only where they differ from their parent, and no inheritance is resolved: a
 * resolved {@code en-GB} would repeat nearly every {@code en} name as a duplicate pair.
 */
final class CldrNames {
    // The parser must not close the tarball's stream when it finishes an entry, and need not
    // intern the thousands of emoji keys of each of the ~340 locale files.
    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .build();
    private static final Pattern ENTRY =
            Pattern.compile("package/annotations(?:Derived)?/([^/]+)/annotations\\.json");

    /**
     * What a locale calls one emoji.
     *
     * @param tts the spoken name, unique within a locale (CLDR's {@code tts})
     * @param keywords the search keywords ({@code default}); empty unless kept
     */
    record Name(String tts, List<String> keywords) {}

    private final SortedSet<String> available;
    private final Map<String, Map<String, Name>> byLocale;

    private CldrNames(SortedSet<String> available, Map<String, Map<String, Name>> byLocale) {
        this.available = Collections.unmodifiableSortedSet(available);
        this.byLocale = byLocale;
    }

    /**
     * Reads the names of the locales {@code wanted} accepts (BCP 47 tags), keeping only emoji that
     * {@code keys} knows. {@code keys} maps every lookup key of the catalogue to itself, so that
     * all locales share one string per key.
     */
    static CldrNames read(
            Path annotations,
            Path derived,
            Predicate<String> wanted,
            Map<String, String> keys,
            boolean keepKeywords) {
        SortedSet<String> available = new TreeSet<>();
        Map<String, Map<String, Name>> byLocale = new TreeMap<>();
        for (Path tgz : List.of(annotations, derived)) {
            int[] files = {0};
            Tarballs.forEachFile(
                    tgz,
                    (entry, content) -> {
                        Matcher m = ENTRY.matcher(entry);
                        if (!m.matches()) {
                            return true;
                        }
                        files[0]++;
                        String locale = CldrLocales.toBcp47(m.group(1));
                        available.add(locale);
                        if (wanted.test(locale)) {
                            Map<String, Name> names =
                                    byLocale.computeIfAbsent(locale, l -> new HashMap<>());
                            try {
                                addNames(content, names, keys, keepKeywords);
                            } catch (JsonProcessingException e) {
                                throw new IllegalStateException(
                                        tgz + ": " + entry + " is malformed: " + e.getMessage(), e);
                            }
                        }
                        return true;
                    });
            if (files[0] == 0) {
                throw new IllegalStateException(
                        tgz
                                + " is not a CLDR annotations package: it has no"
                                + " package/annotations*/<locale>/annotations.json");
            }
        }
        return new CldrNames(available, byLocale);
    }

    // The file is {"annotations": {"identity": ..., "annotations": {"😀": {"default": [...],
    // "tts": ["..."]}}}} (the outer key is "annotationsDerived" in the derived package). It is
    // read with the streaming parser: the 48.2.0 packages hold about 160 MB of JSON (tar tzvf),
    // mostly keywords.
    // Names already read win, so the base package takes precedence over the derived one.
    private static void addNames(
            InputStream json,
            Map<String, Name> names,
            Map<String, String> keys,
            boolean keepKeywords)
            throws IOException {
        try (JsonParser parser = JSON.createParser(json)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                expect(parser.nextToken(), JsonToken.START_OBJECT); // annotations(Derived)
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("annotations") && value == JsonToken.START_OBJECT) {
                        readEntries(parser, names, keys, keepKeywords);
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        }
    }

    private static void readEntries(
            JsonParser parser,
            Map<String, Name> names,
            Map<String, String> keys,
            boolean keepKeywords)
            throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = keys.get(parser.currentName());
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            if (key == null || names.containsKey(key)) {
                parser.skipChildren();
                continue;
            }
            String tts = null;
            List<String> keywords = List.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.START_ARRAY) {
                    parser.skipChildren();
                } else if (field.equals("tts")) {
                    List<String> list = strings(parser);
                    tts = list.isEmpty() ? null : list.get(0);
                } else if (field.equals("default") && keepKeywords) {
                    keywords = List.copyOf(strings(parser));
                } else {
                    parser.skipChildren();
                }
            }
            if (tts != null) {
                names.put(key, new Name(tts, keywords));
            }
        }
    }

    private static List<String> strings(JsonParser parser) throws IOException {
        List<String> list = new ArrayList<>(4);
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.VALUE_STRING) {
                list.add(parser.getText());
            } else {
                parser.skipChildren();
            }
        }
        return list;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new JsonParseException(
                    null, "expected " + expected + " in a CLDR annotations file, found " + actual);
        }
    }

    /** Every locale the packages have a file for, as BCP 47 tags, whether read or not. */
    SortedSet<String> available() {
        return available;
    }

    /** The locales read that name at least one catalogue emoji, sorted. */
    List<String> localesWithNames() {
        return byLocale.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * What {@code locale} calls the emoji with these {@link EmojiImage#lookupKeys() lookup keys},
     * trying each in turn; null if it has no name for it.
     */
    Name find(String locale, List<String> lookupKeys) {
        Map<String, Name> names = byLocale.get(locale);
        if (names == null) {
            return null;
        }
        for (String key : lookupKeys) {
            Name name = names.get(key);
            if (name != null) {
                return name;
            }
        }
        return null;
    }

    /**
     * Reads the names {@code catalogue} needs, for {@code locales} (BCP 47 or CLDR ids; empty for
     * every locale that names at least one emoji of the catalogue).
     *
     * @throws IllegalArgumentException naming the locales the packages do not have
     */
    static Selection load(
            EmojiData data,
            Collection<EmojiImage> catalogue,
            List<String> locales,
            boolean keepKeywords) {
        Map<String, String> keys = new HashMap<>();
        for (EmojiImage image : catalogue) {
            image.lookupKeys().forEach(k -> keys.putIfAbsent(k, k));
        }
        List<String> requested = locales.stream().map(CldrLocales::toBcp47).distinct().toList();
        Set<String> requestedSet = Set.copyOf(requested);
        CldrNames names =
                read(
                        data.require(EmojiData.CLDR_ANNOTATIONS),
                        data.require(EmojiData.CLDR_ANNOTATIONS_DERIVED),
                        requested.isEmpty() ? l -> true : requestedSet::contains,
                        keys,
                        keepKeywords);
        List<String> unknown =
                requested.stream().filter(l -> !names.available().contains(l)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "CLDR "
                            + EmojiData.CLDR_ANNOTATIONS_VERSION
                            + " has no annotations for "
                            + unknown
                            + "; it has "
                            + names.available());
        }
        return new Selection(names, requested.isEmpty() ? names.localesWithNames() : requested);
    }

    /**
     * Names read for a set of locales.
     *
     * @param names the names
     * @param locales the selected locales, BCP 47, in the order requested (sorted for "all")
     */
    record Selection(CldrNames names, List<String> locales) {}
}
