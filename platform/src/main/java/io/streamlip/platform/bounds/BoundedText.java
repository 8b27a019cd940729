package io.streamlip.platform.bounds;

/**
 * Cutting text to a bound without breaking a surrogate pair, and measuring its UTF-8 size. A value
 * from the input is never echoed whole into a detail, a summary or a log line.
 */
public final class BoundedText {
    /** Appended to text that was cut. */
    public static final String ELLIPSIS = "…";

    /** Longest input value a summary or log line carries, in characters. */
    public static final int MAX_DETAIL = 200;

    private BoundedText() {}

    /**
     * {@code text} itself when it has at most {@code maxChars} UTF-16 chars, else its longest
     * prefix that leaves room for {@link #ELLIPSIS} and ends on a whole code point, with the
     * ellipsis; null stays null.
     */
    public static String truncate(String text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        if (maxChars < 1) {
            return "";
        }
        int cut = maxChars - ELLIPSIS.length();
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, Math.max(cut, 0)) + ELLIPSIS;
    }

    /**
     * Bytes of {@code text} encoded as UTF-8 (a lone surrogate counted as 3, more than the 1 byte
     * Java writes for it); 0 for null. Computed without encoding.
     */
    public static long utf8Length(CharSequence text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < n
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** {@code value} on one line, cut at {@link #MAX_DETAIL} (see {@link #cap}). */
    public static String detail(String value) {
        return cap(value, MAX_DETAIL);
    }

    /**
     * {@code value} on one line (control characters as spaces), cut like {@link #truncate} to at
     * most {@code max} characters; null stays null.
     */
    public static String cap(String value, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        String cut = truncate(value, max);
        if (cut == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }
}
