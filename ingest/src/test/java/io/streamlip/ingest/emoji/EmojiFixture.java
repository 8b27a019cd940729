package io.streamlip.ingest.emoji;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Six small tarballs laid out like the real npm packages, for tests:
 *
 * <ul>
 *   <li>{@code 1F600} grinning face: every vendor, named in en, de, fr, pt-PT, zh-Hant;
 *   <li>{@code 263A-FE0F} smiling face: CLDR keys it without U+FE0F; named in en, de;
 *   <li>{@code 1F44B} waving hand with the skin-tone variant {@code 1F44B-1F3FB} (named in the
 *       derived package); named in en, de;
 *   <li>{@code 1F1E9-1F1EA} flag of Germany: named only in the derived package, in en, de, fr;
 *   <li>{@code 1F984} unicorn: facebook does not draw it; named in en, de;
 *   <li>{@code 1F9A9} flamingo: the catalogue says google draws it but google's package lacks the
 *       PNG; named in en, de.
 * </ul>
 *
 * Locale folders: en, de, fr, pt_PT (CLDR-style id with an underscore, to check normalisation),
 * zh-Hant, and und (no names). Each vendor package also holds a 32 px image and a sprite sheet,
 * which must be ignored, and facebook's lists its images before {@code emoji.json}.
 */
final class EmojiFixture {
    static final List<String> LOCALES = List.of("de", "en", "fr", "pt-PT", "zh-Hant");
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmojiFixture() {}

    /** The PNG bytes of {@code vendor}'s drawing of {@code imageFile}. */
    static byte[] png(String vendor, String imageFile) {
        byte[] marker = (vendor + ":" + imageFile).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[8 + marker.length];
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(signature, 0, bytes, 0, 8);
        System.arraycopy(marker, 0, bytes, 8, marker.length);
        return bytes;
    }

    /** Writes the six tarballs into {@code folder} and returns the data. */
    static EmojiData write(Path folder) throws IOException {
        Files.createDirectories(folder);
        EmojiData data = EmojiData.at(folder);
        ArrayNode catalogue = catalogue();
        for (String vendor : EmojiData.VENDORS) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            byte[] json = JSON.writeValueAsBytes(catalogue);
            boolean imagesFirst = vendor.equals("facebook");
            if (!imagesFirst) {
                files.put("package/emoji.json", json);
            }
            files.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
            for (var node : catalogue) {
                addImage(files, vendor, node);
                if (node.has("skin_variations")) {
                    for (var variant : node.get("skin_variations")) {
                        addImage(files, vendor, variant);
                    }
                }
            }
            files.put("package/img/" + vendor + "/32/1f600.png", png(vendor, "32px"));
            files.put("package/img/" + vendor + "/sheets/64.png", png(vendor, "sheet"));
            if (imagesFirst) {
                files.put("package/emoji.json", json);
            }
            tarball(data.tarball(EmojiData.vendorPackage(vendor)), files);
        }
        tarball(data.tarball(EmojiData.CLDR_ANNOTATIONS), annotations(false));
        tarball(data.tarball(EmojiData.CLDR_ANNOTATIONS_DERIVED), annotations(true));
        return data;
    }

    private static void addImage(Map<String, byte[]> files, String vendor, JsonNode node) {
        String image = node.get("image").asText();
        boolean drawn = node.get("has_img_" + vendor).asBoolean();
        boolean lost = vendor.equals("google") && image.equals("1f9a9.png");
        if (drawn && !lost) {
            files.put("package/img/" + vendor + "/64/" + image, png(vendor, image));
        }
    }

    private static ArrayNode catalogue() {
        ArrayNode all = JSON.createArrayNode();
        all.add(emoji("1F600", null, "Smileys & Emotion", "face-smiling", 1, true));
        all.add(emoji("263A-FE0F", "263A", "Smileys & Emotion", "face-affection", 2, true));
        ObjectNode wave = emoji("1F44B", null, "People & Body", "hand-fingers-open", 3, true);
        ObjectNode variants = wave.putObject("skin_variations");
        ObjectNode light = variants.putObject("1F3FB");
        light.put("unified", "1F44B-1F3FB");
        light.putNull("non_qualified");
        light.put("image", "1f44b-1f3fb.png");
        for (String vendor : EmojiData.VENDORS) {
            light.put("has_img_" + vendor, true);
        }
        all.add(wave);
        // listed out of Unicode order on purpose: the catalogue is sorted by sort_order
        all.add(emoji("1F9A9", null, "Animals & Nature", "animal-bird", 6, true));
        all.add(emoji("1F1E9-1F1EA", null, "Flags", "country-flag", 4, true));
        all.add(emoji("1F984", null, "Animals & Nature", "animal-mammal", 5, false));
        return all;
    }

    private static ObjectNode emoji(
            String unified,
            String nonQualified,
            String category,
            String subcategory,
            int sortOrder,
            boolean facebook) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", "NAME OF " + unified);
        node.put("unified", unified);
        if (nonQualified == null) {
            node.putNull("non_qualified");
        } else {
            node.put("non_qualified", nonQualified);
        }
        node.put("image", unified.toLowerCase(Locale.ROOT) + ".png");
        node.put("category", category);
        node.put("subcategory", subcategory);
        node.put("sort_order", sortOrder);
        for (String vendor : EmojiData.VENDORS) {
            node.put("has_img_" + vendor, !vendor.equals("facebook") || facebook);
        }
        return node;
    }

    // CLDR keys: the emoji as text, mostly without U+FE0F.
    private static Map<String, byte[]> annotations(boolean derived) throws IOException {
        String grin = EmojiImage.characters("1F600");
        String smile = EmojiImage.characters("263A"); // no FE0F, as in CLDR
        String wave = EmojiImage.characters("1F44B");
        String waveLight = EmojiImage.characters("1F44B-1F3FB");
        String flag = EmojiImage.characters("1F1E9-1F1EA");
        String unicorn = EmojiImage.characters("1F984");
        String flamingo = EmojiImage.characters("1F9A9");
        Map<String, Map<String, String[]>> byLocale = new LinkedHashMap<>();
        if (!derived) {
            byLocale.put(
                    "en",
                    names(
                            grin, "grinning face|face|grin",
                            smile, "smiling face|face|smile",
                            wave, "waving hand|hand|wave",
                            unicorn, "unicorn|face",
                            flamingo, "flamingo|bird"));
            byLocale.put(
                    "de",
                    names(
                            grin, "grinsendes Gesicht|Gesicht",
                            smile, "lächelndes Gesicht|Gesicht",
                            wave, "winkende Hand|Hand",
                            unicorn, "Einhorn|Gesicht",
                            flamingo, "Flamingo|Vogel"));
            byLocale.put("fr", names(grin, "visage rieur|visage"));
            byLocale.put("pt_PT", names(grin, "cara com sorriso rasgado|cara"));
            byLocale.put("zh-Hant", names(grin, "露齒笑臉|臉"));
        } else {
            byLocale.put(
                    "en",
                    names(
                            waveLight, "waving hand: light skin tone|hand|light skin tone",
                            flag, "flag: Germany|flag"));
            byLocale.put(
                    "de",
                    names(
                            waveLight, "winkende Hand: helle Hautfarbe|Hand",
                            flag, "Flagge: Deutschland|Flagge"));
            byLocale.put("fr", names(flag, "drapeau : Allemagne|drapeau"));
        }
        String top = derived ? "annotationsDerived" : "annotations";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        List<String> folders = new ArrayList<>(byLocale.keySet());
        folders.add("und");
        for (String locale : folders) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode body = root.putObject(top);
            body.putObject("identity").put("language", locale);
            if (byLocale.containsKey(locale)) {
                ObjectNode entries = body.putObject("annotations");
                // a non-emoji key CLDR also has, that matches nothing in the catalogue
                entries.putObject("{").putArray("default").add("brace");
                byLocale.get(locale)
                        .forEach(
                                (key, texts) -> {
                                    ObjectNode e = entries.putObject(key);
                                    ArrayNode keywords = e.putArray("default");
                                    for (int i = 1; i < texts.length; i++) {
                                        keywords.add(texts[i]);
                                    }
                                    e.putArray("tts").add(texts[0]);
                                });
            }
            files.put(
                    "package/" + top + "/" + locale + "/annotations.json",
                    JSON.writeValueAsBytes(root));
        }
        return files;
    }

    // key, "tts|keyword|keyword", key, ...
    private static Map<String, String[]> names(String... keysAndTexts) {
        Map<String, String[]> names = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTexts.length; i += 2) {
            names.put(keysAndTexts[i], keysAndTexts[i + 1].split("\\|"));
        }
        return names;
    }

    static void tarball(Path path, Map<String, byte[]> files) throws IOException {
        try (OutputStream file = Files.newOutputStream(path);
                GZIPOutputStream gzip = new GZIPOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
    }
}
