package io.streamlip.ingest.emoji;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One image of the emoji catalogue ({@code emoji.json} of emoji-datasource): a base emoji or one of
 * its skin-tone variants.
 *
 * @param unified the code points, upper-case hex joined by {@code -}, e.g. {@code 1F44B-1F3FB}
 * @param nonQualified the same without the emoji presentation selector U+FE0F, or null when the
 *     catalogue gives none
 * @param imageFile the PNG's file name, e.g. {@code 1f44b-1f3fb.png}
 * @param category e.g. {@code People & Body}
 * @param subcategory e.g. {@code hand-fingers-open}
 * @param sortOrder the emoji's place in the Unicode order (a variant shares its base's)
 * @param baseUnified the base emoji of a skin-tone variant, null for a base emoji
 * @param vendors the vendors that draw it
 */
record EmojiImage(
        String unified,
        String nonQualified,
        String imageFile,
        String category,
        String subcategory,
        int sortOrder,
        String baseUnified,
        Set<String> vendors) {

    private static final String FE0F = "\uFE0F";

    public EmojiImage {
        vendors = Set.copyOf(vendors);
    }

    /** The class of pairs showing this image: lower-case {@link #unified}, e.g. {@code 1f600}. */
    public String classLabel() {
        return unified.toLowerCase(Locale.ROOT);
    }

    public boolean isSkinToneVariant() {
        return baseUnified != null;
    }

    /** The emoji as text. */
    public String characters() {
        return characters(unified);
    }

    /**
     * The strings CLDR may key this emoji by, best first: the fully qualified sequence, the same
     * without U+FE0F (CLDR drops it in most keys), and the catalogue's non-qualified form.
     */
    public List<String> lookupKeys() {
        List<String> keys = new ArrayList<>(3);
        String full = characters();
        keys.add(full);
        String bare = full.replace(FE0F, "");
        if (!bare.equals(full)) {
            keys.add(bare);
        }
        if (nonQualified != null) {
            String nq = characters(nonQualified);
            if (!keys.contains(nq)) {
                keys.add(nq);
            }
        }
        return keys;
    }

    /** {@code 1F44B-1F3FB} as the characters it stands for. */
    static String characters(String hexCodePoints) {
        StringBuilder text = new StringBuilder();
        for (String hex : hexCodePoints.split("-")) {
            text.appendCodePoint(Integer.parseInt(hex, 16));
        }
        return text.toString();
    }
}
