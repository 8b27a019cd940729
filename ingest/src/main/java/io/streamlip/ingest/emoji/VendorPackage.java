package io.streamlip.ingest.emoji;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one {@code emoji-datasource-<vendor>} tarball holds that the corpus uses: the catalogue
 * ({@code package/emoji.json}) and the vendor's 64 px PNGs ({@code package/img/<vendor>/64/}), read
 * in one streaming pass. The sprite sheets, which make up most of the tarball, are skipped.
 *
 * @param vendor e.g. {@code google}
 * @param catalogue every emoji and skin-tone variant, in Unicode order (bases before their
 *     variants)
 * @param pngs the vendor's images by file name; only those of catalogue entries are kept
 */
record VendorPackage(String vendor, List<EmojiImage> catalogue, Map<String, byte[]> pngs) {
    static final String CATALOGUE_ENTRY = "package/emoji.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads {@code tgz}. With {@code skinTones} false, the variants are left out of the catalogue
     * and their images are not kept.
     */
    static VendorPackage read(Path tgz, String vendor, boolean skinTones) {
        String imagePrefix = "package/img/" + vendor + "/64/";
        Map<String, byte[]> pngs = new HashMap<>();
        List<JsonNode> catalogueJson = new ArrayList<>(1);
        Tarballs.forEachFile(
                tgz,
                (name, content) -> {
                    if (name.equals(CATALOGUE_ENTRY)) {
                        catalogueJson.add(JSON.readTree(content.readAllBytes()));
                    } else if (name.startsWith(imagePrefix) && name.endsWith(".png")) {
                        pngs.put(name.substring(imagePrefix.length()), content.readAllBytes());
                    }
                    return true;
                });
        if (catalogueJson.isEmpty()) {
            throw new IllegalStateException(
                    tgz + " is not an emoji-datasource package: it has no " + CATALOGUE_ENTRY);
        }
        List<EmojiImage> catalogue = catalogue(catalogueJson.get(0), skinTones, tgz);
        Set<String> used = new HashSet<>();
        catalogue.forEach(e -> used.add(e.imageFile()));
        pngs.keySet().retainAll(used);
        return new VendorPackage(vendor, catalogue, pngs);
    }

    static List<EmojiImage> catalogue(JsonNode root, boolean skinTones, Path source) {
        if (!root.isArray()) {
            throw new IllegalStateException(source + ": " + CATALOGUE_ENTRY + " is not an array");
        }
        List<EmojiImage> bases = new ArrayList<>();
        Map<String, List<EmojiImage>> variants = new HashMap<>();
        for (JsonNode node : root) {
            EmojiImage base = image(node, null, node.path("sort_order").asInt(), node, source);
            bases.add(base);
            if (skinTones && node.has("skin_variations")) {
                List<EmojiImage> list = new ArrayList<>();
                Iterator<JsonNode> it = node.get("skin_variations").elements();
                while (it.hasNext()) {
                    list.add(image(it.next(), base.unified(), base.sortOrder(), node, source));
                }
                variants.put(base.unified(), list);
            }
        }
        bases.sort(
                Comparator.comparingInt(EmojiImage::sortOrder).thenComparing(EmojiImage::unified));
        List<EmojiImage> all = new ArrayList<>(bases.size() * 2);
        for (EmojiImage base : bases) {
            all.add(base);
            all.addAll(variants.getOrDefault(base.unified(), List.of()));
        }
        return Collections.unmodifiableList(all);
    }

    private static EmojiImage image(
            JsonNode node, String baseUnified, int sortOrder, JsonNode base, Path source) {
        String unified = node.path("unified").asText(null);
        String imageFile = node.path("image").asText(null);
        if (unified == null || imageFile == null) {
            throw new IllegalStateException(
                    source
                            + ": an entry of "
                            + CATALOGUE_ENTRY
                            + " lacks unified or image: "
                            + node);
        }
        Set<String> vendors = new HashSet<>();
        for (String vendor : EmojiData.VENDORS) {
            if (node.path("has_img_" + vendor).asBoolean(false)) {
                vendors.add(vendor);
            }
        }
        JsonNode nq = node.get("non_qualified");
        return new EmojiImage(
                unified,
                nq == null || nq.isNull() ? null : nq.asText(),
                imageFile,
                base.path("category").asText(""),
                base.path("subcategory").asText(""),
                sortOrder,
                baseUnified,
                vendors);
    }
}
