package io.streamlip.ingest.emoji;

import java.util.Locale;

/** CLDR locale identifiers as BCP 47 language tags. */
public final class CldrLocales {
    private CldrLocales() {}

    /**
     * The BCP 47 form of a CLDR locale id: {@code zh_Hant} and {@code zh-hant} become {@code
     * zh-Hant}, {@code pt_PT} becomes {@code pt-PT}, {@code en-001} and {@code ca-ES-valencia} stay
     * as they are, {@code root} becomes {@code und}. An id Java cannot parse is kept as written
     * (with {@code -} separators) rather than turned into {@code und}.
     */
    public static String toBcp47(String cldrLocale) {
        String dashed = cldrLocale.strip().replace('_', '-');
        if (dashed.equalsIgnoreCase("root")) {
            return "und";
        }
        String tag = Locale.forLanguageTag(dashed).toLanguageTag();
        return tag.equals("und") && !dashed.equalsIgnoreCase("und") ? dashed : tag;
    }
}
