package io.streamlip.filter.curate;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.text.Normalizer;

/**
 * Normalises a caption and applies the length bounds.
 *
 * <p>Normalisation: Unicode NFC (so "é" typed as e + combining accent equals the precomposed "é",
 * and the two deduplicate as one caption), control characters removed, every run of whitespace
 * (including no-break and ideographic spaces, tabs and line breaks) collapsed to one ASCII space,
 * and the ends trimmed. Format characters such as the zero-width joiner stay: emoji sequences and
 * several scripts need them.
 *
 * <p>Lengths are counted in code points of the normalised caption, so a CJK caption is not
 * penalised for its UTF-16 or UTF-8 size.
 */
public final class CaptionCheck implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FilterConfig config;

    public CaptionCheck(FilterConfig config) {
        this.config = config;
    }

    /**
     * Length for the lower bound: a code point counts 1, except an ideograph, a Hangul syllable or
     * a kana, which counts 2 — one such character is a word ("猫", "cat"), where one Latin letter is
     * not a caption.
     */
    static int weight(String caption) {
        return caption.codePoints()
                .map(
                        c -> {
                            Character.UnicodeScript script = Character.UnicodeScript.of(c);
                            boolean word =
                                    Character.isIdeographic(c)
                                            || script == Character.UnicodeScript.HANGUL
                                            || script == Character.UnicodeScript.HIRAGANA
                                            || script == Character.UnicodeScript.KATAKANA;
                            return word ? 2 : 1;
                        })
                .sum();
    }

    /** The normalised caption, when it is within the bounds. */
    public Verdict<String> check(String raw) {
        String caption = normalise(raw == null ? "" : raw);
        if (caption.isEmpty()) {
            return Verdict.refuse(
                    RejectReason.CAPTION_EMPTY,
                    raw == null || raw.isEmpty()
                            ? "no caption"
                            : "caption of " + raw.length() + " chars is empty once normalised");
        }
        int chars = caption.codePointCount(0, caption.length());
        if (weight(caption) < config.minCaptionChars()) {
            return Verdict.refuse(
                    RejectReason.CAPTION_TOO_SHORT,
                    "caption '"
                            + caption
                            + "' has "
                            + chars
                            + " characters, fewer than "
                            + config.minCaptionChars());
        }
        if (chars > config.maxCaptionChars()) {
            return Verdict.refuse(
                    RejectReason.CAPTION_TOO_LONG,
                    "caption has "
                            + chars
                            + " characters, more than "
                            + config.maxCaptionChars()
                            + " (starts '"
                            + caption.substring(
                                    0, caption.offsetByCodePoints(0, Math.min(40, chars)))
                            + "')");
        }
        return Verdict.accept(caption);
    }

    /** NFC, control characters removed, whitespace collapsed, trimmed. */
    public static String normalise(String raw) {
        String nfc = Normalizer.normalize(raw, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(nfc.length());
        boolean pendingSpace = false;
        for (int i = 0; i < nfc.length(); ) {
            int cp = nfc.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = out.length() > 0;
            } else if (Character.getType(cp) == Character.CONTROL) {
                // dropped: NUL, BEL, DEL, C1 controls... carry no text
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }
}
