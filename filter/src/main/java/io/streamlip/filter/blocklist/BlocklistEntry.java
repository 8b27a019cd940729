package io.streamlip.filter.blocklist;

import java.io.Serializable;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * One opt-out entry, written {@code sha256:<64 hex>} (the encoded image's bytes), {@code phash:<16
 * hex>} (a 64-bit perceptual hash; near copies within the configured distance match) or {@code
 * term:<text>} (a caption term, {@link CaptionTerms}). {@link #text()} is the canonical form
 * (lower-case hex, the term case-folded): the key of the entry on the blocklist topic.
 *
 * @param kind what is listed
 * @param value the canonical value after the prefix
 */
public record BlocklistEntry(Kind kind, String value) implements Serializable {

    /** Most characters of one entry's text, term or hash. */
    public static final int MAX_CHARS = 200;

    /** What an entry lists. */
    public enum Kind {
        SHA256("sha256"),
        PHASH("phash"),
        TERM("term");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** The entry's prefix, without the colon. */
        public String prefix() {
            return prefix;
        }
    }

    public BlocklistEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Parses {@code text} ({@code kind:value}); throws {@link IllegalArgumentException} saying what
     * is wrong with it.
     */
    public static BlocklistEntry parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    "expected sha256:<64 hex>, phash:<16 hex> or term:<text>, got '"
                            + shorten(t)
                            + "'");
        }
        String prefix = t.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String rest = t.substring(colon + 1).strip();
        return switch (prefix) {
            case "sha256" -> sha256(rest);
            case "phash" -> phash(rest);
            case "term" -> term(rest);
            default ->
                    throw new IllegalArgumentException(
                            "unknown kind '"
                                    + shorten(prefix)
                                    + "': expected sha256:, phash: or term:");
        };
    }

    /** An image SHA-256 entry; {@code hex} is 64 hex digits, either case. */
    public static BlocklistEntry sha256(String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (h.length() != 64 || !isHex(h)) {
            throw new IllegalArgumentException(
                    "sha256: needs 64 hex digits, got '" + shorten(hex) + "'");
        }
        return new BlocklistEntry(Kind.SHA256, h);
    }

    /** A perceptual-hash entry; {@code hex} is 16 hex digits, either case. */
    public static BlocklistEntry phash(String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (h.length() != 16 || !isHex(h)) {
            throw new IllegalArgumentException(
                    "phash: needs 16 hex digits (64 bits), got '" + shorten(hex) + "'");
        }
        return new BlocklistEntry(Kind.PHASH, h);
    }

    /** A perceptual-hash entry for {@code hash}. */
    public static BlocklistEntry phash(long hash) {
        return new BlocklistEntry(Kind.PHASH, HexFormat.of().toHexDigits(hash));
    }

    /** A caption-term entry, case-folded ({@link CaptionTerms#fold}). */
    public static BlocklistEntry term(String term) {
        if (term.length() > MAX_CHARS) {
            throw new IllegalArgumentException(
                    "term is " + term.length() + " characters, more than " + MAX_CHARS);
        }
        String folded = CaptionTerms.fold(term);
        if (CaptionTerms.words(folded).isEmpty()) {
            throw new IllegalArgumentException(
                    "term '" + shorten(term) + "' has no letter or digit");
        }
        return new BlocklistEntry(Kind.TERM, String.join(" ", CaptionTerms.words(folded)));
    }

    /** The 64-bit hash of a {@link Kind#PHASH} entry. */
    public long phashValue() {
        if (kind != Kind.PHASH) {
            throw new IllegalStateException(this + " is no phash entry");
        }
        return Long.parseUnsignedLong(value, 16);
    }

    /** The canonical text, e.g. {@code phash:00ff00ff00ff00ff}. */
    public String text() {
        return kind.prefix + ":" + value;
    }

    @Override
    public String toString() {
        return text();
    }

    private static boolean isHex(String s) {
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
