package io.streamlip.filter.curate;

import io.streamlip.filter.blocklist.CaptionTerms;
import io.streamlip.filter.config.TextQualityConfig;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses captions that are not descriptions: bytes that were not UTF-8, web boilerplate, terms of
 * the blocklist. An accepted caption gets a quality score in [0, 1]: the share of letters among its
 * non-space characters (digits, punctuation and symbols lower it).
 *
 * <p>Invalid UTF-8 is seen in the caption's bytes, decoded strictly: Avro's decoding into a Java
 * string replaces each malformed sequence with U+FFFD, which is also a character a real caption may
 * hold, so the decoded string cannot tell them apart.
 *
 * <p>The boilerplate patterns are English and format-based (file names, URLs, repeated characters):
 * they never match a caption for being in another language.
 */
public final class TextQuality implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What decoding replaces invalid UTF-8 with: a caption without it had none. */
    static final char REPLACEMENT = '\uFFFD';

    private static final List<Pattern> BOILERPLATE =
            List.of(
                    // a file name: "IMG_0042.jpg", "spacer.gif", "photo-12.jpeg"
                    Pattern.compile(
                            "(?i)^[\\p{L}\\p{N}_\\-. ()]{0,80}\\.(jpe?g|png|gif|webp|bmp|svg|tiff?|heic)$"),
                    // a URL anywhere
                    Pattern.compile("(?i)(\\bhttps?://|\\bwww\\.[\\p{L}\\p{N}-]+\\.)"),
                    // navigation text instead of a description
                    Pattern.compile(
                            "(?i)^(click (here|to enlarge)|read more|more info|untitled|thumbnail|"
                                    + "image|photo|download|spacer|placeholder|loading|"
                                    + "no image( available)?)\\b.*"),
                    // a run of one character (5+) making up most of the caption
                    Pattern.compile("(.)\\1{4,}"));

    private final TextQualityConfig config;

    /** The configured blocklist, matched as whole words, case-folded ({@link CaptionTerms}). */
    private final CaptionTerms terms = new CaptionTerms();

    public TextQuality(TextQualityConfig config) {
        this.config = config;
        for (String term : config.blocklist()) {
            terms.add(term);
        }
    }

    /**
     * Refuses the caption when {@code bytes}, what it was decoded from, are not valid UTF-8.
     *
     * @param caption the caption as decoded
     * @param bytes its UTF-8 bytes as they arrived, or null when it was not decoded from bytes (a
     *     Java string holds no invalid UTF-8)
     */
    public Verdict<String> checkEncoding(String caption, ByteBuffer bytes) {
        String text = caption == null ? "" : caption;
        if (bytes == null || text.indexOf(REPLACEMENT) < 0) {
            return Verdict.accept(text);
        }
        CharsetDecoder strict =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer view = bytes.duplicate();
        try {
            strict.decode(view);
            return Verdict.accept(text);
        } catch (CharacterCodingException e) {
            return Verdict.refuse(
                    RejectReason.CAPTION_INVALID_UTF8,
                    "caption bytes are not valid UTF-8 (at byte "
                            + (view.position() - bytes.position())
                            + " of "
                            + bytes.remaining()
                            + ")");
        }
    }

    /**
     * The quality score of {@code caption} (already normalised and within the length bounds), or a
     * refusal.
     */
    public Verdict<Float> check(String caption) {
        if (config.boilerplate()) {
            for (int i = 0; i < BOILERPLATE.size(); i++) {
                Matcher m = BOILERPLATE.get(i).matcher(caption);
                boolean hit = i == BOILERPLATE.size() - 1 ? repeatsDominate(m, caption) : m.find();
                if (hit) {
                    return Verdict.refuse(
                            RejectReason.CAPTION_BOILERPLATE,
                            "caption '" + shorten(caption) + "' matches " + BOILERPLATE.get(i));
                }
            }
        }
        if (terms.size() > 0) {
            java.util.Optional<String> term = terms.find(caption);
            if (term.isPresent()) {
                return Verdict.refuse(
                        RejectReason.CAPTION_BLOCKLISTED,
                        "caption contains the blocklisted term '" + term.get() + "'");
            }
        }
        return Verdict.accept(score(caption));
    }

    /** Share of letters among the non-space code points. */
    static float score(String caption) {
        long visible = caption.codePoints().filter(c -> !Character.isWhitespace(c)).count();
        long letters = caption.codePoints().filter(Character::isLetter).count();
        return visible == 0 ? 0f : (float) letters / visible;
    }

    private static boolean repeatsDominate(Matcher m, String caption) {
        while (m.find()) {
            if (2 * (m.end() - m.start()) >= caption.length()) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String caption) {
        return caption.length() <= 60 ? caption : caption.substring(0, 60) + "...";
    }
}
