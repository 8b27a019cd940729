package io.streamlip.ingest.importer;

import java.util.regex.Pattern;

/**
 * Bounds on what an import's input may put into a summary or a log line: a value from a user's file
 * is never echoed whole. Used for reject details, per-language keys and names.
 */
public final class BoundedText {
    /** Longest detail or name a summary or log line carries, in characters. */
    public static final int MAX_DETAIL = 200;

    /** Longest language tag kept as a key (BCP 47's practical bound). */
    public static final int MAX_LANGUAGE_TAG = 35;

    /** The key of a language hint that is absent. */
    public static final String UNDETERMINED = "und";

    /** The key of a language hint that does not look like a BCP 47 tag. */
    public static final String INVALID = "invalid";

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9-]{1," + MAX_LANGUAGE_TAG + "}");

    private BoundedText() {}

    /** {@code value} on one line (control characters as spaces), cut at {@link #MAX_DETAIL}. */
    public static String detail(String value) {
        return cap(value, MAX_DETAIL);
    }

    /**
     * {@code value} on one line (control characters as spaces), cut to at most {@code max}
     * characters, the last of them an ellipsis when cut; null stays null.
     */
    public static String cap(String value, int max) {
        if (value == null) {
            return null;
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        boolean cut = value.length() > max;
        int end = cut ? max - 1 : value.length();
        if (cut && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        StringBuilder out = new StringBuilder(end + 1);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (cut) {
            out.append('\u2026');
        }
        return out.toString();
    }

    /**
     * The key a language hint is counted under: the hint itself when it looks like a BCP 47 tag (1
     * to {@value #MAX_LANGUAGE_TAG} characters of {@code [A-Za-z0-9-]}), {@value #UNDETERMINED}
     * when absent, else {@value #INVALID}.
     */
    public static String languageKey(String hint) {
        if (hint == null) {
            return UNDETERMINED;
        }
        return hint.length() <= MAX_LANGUAGE_TAG && TAG.matcher(hint).matches() ? hint : INVALID;
    }
}
