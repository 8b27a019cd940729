package io.streamlip.filter.blocklist;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A set of caption terms and the rule that matches them: <b>whole words, case-folded</b>. Caption
 * and term are folded alike (NFKC, then lower case) and cut into words, a word being a run of
 * letters, digits and combining marks; a term matches where its words occur in a row in the
 * caption, whatever punctuation or spaces lie between them ("e-mail" matches "E mail"). Whole
 * words, because a substring rule refuses innocent captions that contain a listed word inside
 * another ("Scunthorpe", "class" for "ass"); case-folded, because alt-text capitalises at random.
 *
 * <p>Scripts written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar) have no
 * word boundaries to find: a term in one of them matches wherever it occurs. Lookup is a hash probe
 * per caption word run up to the longest term's word count, so it costs the same for a thousand
 * terms as for one; only the terms of unspaced scripts are searched one by one.
 */
public final class CaptionTerms implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most words of one term; a longer one is refused when added. */
    public static final int MAX_WORDS = 16;

    /** Term (words joined by one space) -> how many times it was added. */
    private final Map<String, Integer> wordTerms = new HashMap<>();

    /** Terms of scripts without spaces, matched as substrings of the folded caption. */
    private final Map<String, Integer> unspacedTerms = new HashMap<>();

    private int longestWords;

    /**
     * Adds the term of a {@link BlocklistEntry.Kind#TERM} entry (already folded, words joined by
     * one space). A term added twice must be removed twice.
     */
    public void add(String term) {
        List<String> words = words(term);
        if (words.size() > MAX_WORDS) {
            throw new IllegalArgumentException(
                    "term '" + term + "' has " + words.size() + " words, more than " + MAX_WORDS);
        }
        String key = String.join(" ", words);
        if (unspaced(key)) {
            unspacedTerms.merge(key, 1, Integer::sum);
        } else {
            wordTerms.merge(key, 1, Integer::sum);
            longestWords = Math.max(longestWords, words.size());
        }
    }

    /** Removes one addition of {@code term}; a term never added is ignored. */
    public void remove(String term) {
        String key = String.join(" ", words(term));
        Map<String, Integer> terms = unspaced(key) ? unspacedTerms : wordTerms;
        terms.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }

    /** How many distinct terms are listed. */
    public int size() {
        return wordTerms.size() + unspacedTerms.size();
    }

    /** The first listed term {@code caption} contains, if any. */
    public Optional<String> find(String caption) {
        if (size() == 0 || caption == null) {
            return Optional.empty();
        }
        String folded = fold(caption);
        List<String> words = words(folded);
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            run.setLength(0);
            for (int n = 0; n < longestWords && i + n < words.size(); n++) {
                if (n > 0) {
                    run.append(' ');
                }
                run.append(words.get(i + n));
                String candidate = run.toString();
                if (wordTerms.containsKey(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        if (!unspacedTerms.isEmpty()) {
            String joined = String.join(" ", words);
            for (String term : unspacedTerms.keySet()) {
                if (joined.contains(term)) {
                    return Optional.of(term);
                }
            }
        }
        return Optional.empty();
    }

    /** The folded form of {@code text}: NFKC, lower case (root locale). */
    public static String fold(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The words of {@code text}: runs of letters, digits and combining marks. */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i <= text.length()) {
            int cp = i < text.length() ? text.codePointAt(i) : ' ';
            boolean inWord = i < text.length() && wordChar(cp);
            if (inWord && start < 0) {
                start = i;
            } else if (!inWord && start >= 0) {
                words.add(text.substring(start, i));
                start = -1;
            }
            i += i < text.length() ? Character.charCount(cp) : 1;
        }
        return words;
    }

    private static boolean wordChar(int cp) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** Whether {@code term} holds a character of a script written without spaces. */
    private static boolean unspaced(String term) {
        return term.codePoints()
                .anyMatch(
                        cp -> {
                            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
                            return s == Character.UnicodeScript.HAN
                                    || s == Character.UnicodeScript.HIRAGANA
                                    || s == Character.UnicodeScript.KATAKANA
                                    || s == Character.UnicodeScript.THAI
                                    || s == Character.UnicodeScript.LAO
                                    || s == Character.UnicodeScript.KHMER
                                    || s == Character.UnicodeScript.MYANMAR;
                        });
    }
}
