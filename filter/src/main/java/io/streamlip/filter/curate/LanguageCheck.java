package io.streamlip.filter.curate;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.streamlip.filter.config.LanguageConfig;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.schemas.RejectReason;
import io.streamlip.schemas.Verdict;
import java.io.Serializable;
import java.lang.Character.UnicodeScript;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Decides a caption's language and refuses a caption that is confidently in another language than
 * its source declares. Two tests, the surer first: a caption with letters but none in its declared
 * language's script is refused with confidence 1 (unless it is one acronym in capitals); a caption
 * of at least {@link LanguageConfig#minLetters()} letters that Lingua places in another language
 * with confidence at least {@link LanguageConfig#minConfidence()} is refused. Shorter captions are
 * never refused on Lingua's word and reach it only if {@link LanguageConfig#scoreShortCaptions()}.
 *
 * <p>The result is the declared language (base subtag; a hint that is no tag, {@link
 * RecordBounds#languageTag}, is none) with Lingua's confidence in it; without one, Lingua's
 * confident choice, else {@code und}. The detector is built on first use ({@code transient}). Why
 * these tests: docs/decisions/language-identification.md.
 */
public final class LanguageCheck implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What was decided about a caption's language. */
    public record Decision(String lang, float confidence) {}

    private static final Set<UnicodeScript> LATIN = EnumSet.of(UnicodeScript.LATIN);
    private static final Map<String, Set<UnicodeScript>> SCRIPTS = scripts();

    // How far ahead Lingua's likeliest language must be for detectLanguageOf to name it.
    static final double MIN_RELATIVE_DISTANCE = 0.1;

    // Longest acronym (in letters) a caption in another script may be: ATM, DVD, UNESCO is not.
    private static final int MAX_ACRONYM = 5;

    private final LanguageConfig config;
    private transient LanguageDetector detector;

    public LanguageCheck(LanguageConfig config) {
        this.config = config;
    }

    /**
     * @param caption the normalised caption
     * @param hint the declared language (BCP 47) or null
     */
    public Verdict<Decision> check(String caption, String hint) {
        // A hint that is no language tag (9 MB of text, say) counts as none: und.
        String declared = base(RecordBounds.languageTag(hint));
        if (!config.enabled()) {
            return Verdict.accept(new Decision(declared, 0f));
        }
        Set<UnicodeScript> expected = SCRIPTS.get(declared);
        int letters = 0;
        int inScript = 0;
        UnicodeScript seen = null;
        for (int i = 0; i < caption.length(); ) {
            int cp = caption.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                letters++;
                UnicodeScript script = UnicodeScript.of(cp);
                if (expected != null && expected.contains(script)) {
                    inScript++;
                } else if (seen == null) {
                    seen = script;
                }
            }
        }
        if (expected != null && letters >= 2 && inScript == 0 && !isAcronym(caption)) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_MISMATCH,
                    "declared '"
                            + declared
                            + "' but the caption's letters are "
                            + seen.name().toLowerCase(Locale.ROOT)
                            + ", none in "
                            + expected);
        }
        Language declaredLanguage = linguaLanguage(declared);
        boolean known = declaredLanguage != null && config.languages().contains(declared);
        if (!known && !PairCurator.UNDETERMINED.equals(declared)) {
            return Verdict.accept(new Decision(declared, 0f));
        }
        if (known && letters < config.minLetters() && !config.scoreShortCaptions()) {
            // Lingua could not refuse it (see below): its only output would be the score.
            return Verdict.accept(new Decision(declared, 0f));
        }
        SortedMap<Language, Double> values = detector().computeLanguageConfidenceValues(caption);
        if (values.isEmpty()) {
            return Verdict.accept(new Decision(declared, 0f));
        }
        Map.Entry<Language, Double> top =
                values.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        if (!known) {
            return top.getValue() >= config.minConfidence()
                    ? Verdict.accept(new Decision(code(top.getKey()), top.getValue().floatValue()))
                    : Verdict.accept(new Decision(declared, 0f));
        }
        double declaredConfidence = values.getOrDefault(declaredLanguage, 0.0);
        // Lingua 1.2's values are relative (the likeliest language has 1.0); its own decision,
        // detectLanguageOf, answers UNKNOWN unless the likeliest is clearly ahead.
        Language detected =
                letters >= config.minLetters() && top.getKey() != declaredLanguage
                        ? detectedLanguage(values)
                        : declaredLanguage;
        if (detected != declaredLanguage
                && detected != Language.UNKNOWN
                && declaredConfidence < config.minConfidence()) {
            return Verdict.refuse(
                    RejectReason.LANGUAGE_MISMATCH,
                    String.format(
                            Locale.ROOT,
                            "declared '%s' (confidence %.3f) but Lingua says '%s' (%.3f)",
                            declared,
                            declaredConfidence,
                            code(top.getKey()),
                            top.getValue()));
        }
        return Verdict.accept(new Decision(declared, (float) declaredConfidence));
    }

    /**
     * What Lingua 1.2's {@code detectLanguageOf} answers for a text whose confidence values are
     * {@code values} (from {@code computeLanguageConfidenceValues}, ordered likeliest first): the
     * likeliest language, unless it ties with the second or leads it by less than {@link
     * #MIN_RELATIVE_DISTANCE}, then {@code UNKNOWN}. {@code detectLanguageOf} computes the values
     * again and decides so; deciding from the values at hand halves Lingua's work for a caption
     * whose likeliest language is not the declared one.
     */
    static Language detectedLanguage(SortedMap<Language, Double> values) {
        if (values.isEmpty()) {
            return Language.UNKNOWN;
        }
        Language likeliest = values.firstKey();
        if (values.size() == 1) {
            return likeliest;
        }
        Iterator<Double> confidences = values.values().iterator();
        Double first = confidences.next();
        Double second = confidences.next();
        if (first.equals(second) || first - second < MIN_RELATIVE_DISTANCE) {
            return Language.UNKNOWN;
        }
        return likeliest;
    }

    /** One word of 2 to {@value #MAX_ACRONYM} letters, all of them Latin capitals. */
    static boolean isAcronym(String caption) {
        String word = caption.strip();
        int letters = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                return false;
            }
            if (Character.isLetter(cp)) {
                if (!Character.isUpperCase(cp) || UnicodeScript.of(cp) != UnicodeScript.LATIN) {
                    return false;
                }
                letters++;
            }
        }
        return letters >= 2 && letters <= MAX_ACRONYM;
    }

    private LanguageDetector detector() {
        if (detector == null) {
            IsoCode639_1[] codes =
                    config.languages().stream()
                            .map(LanguageCheck::linguaLanguage)
                            .filter(l -> l != null)
                            .map(Language::getIsoCode639_1)
                            .distinct()
                            .toArray(IsoCode639_1[]::new);
            if (codes.length < 2) {
                throw new IllegalStateException(
                        "Lingua needs at least two known languages, got " + config.languages());
            }
            detector =
                    LanguageDetectorBuilder.fromIsoCodes639_1(codes)
                            .withMinimumRelativeDistance(MIN_RELATIVE_DISTANCE)
                            .build();
        }
        return detector;
    }

    /** The base language subtag, lower case; {@code und} for none. */
    static String base(String tag) {
        if (tag == null || tag.isBlank()) {
            return PairCurator.UNDETERMINED;
        }
        int cut = tag.indexOf('-');
        int underscore = tag.indexOf('_');
        if (cut < 0 || (underscore >= 0 && underscore < cut)) {
            cut = underscore;
        }
        return (cut < 0 ? tag : tag.substring(0, cut)).toLowerCase(Locale.ROOT);
    }

    private static Language linguaLanguage(String code) {
        for (Language language : Language.values()) {
            if (language != Language.UNKNOWN
                    && language.getIsoCode639_1().name().equalsIgnoreCase(code)) {
                return language;
            }
        }
        return null;
    }

    private static String code(Language language) {
        return language.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
    }

    private static Map<String, Set<UnicodeScript>> scripts() {
        Map<String, Set<UnicodeScript>> m = new HashMap<>();
        for (String l :
                "en de fr es it pt nl pl tr sv da no nb nn fi cs sk sl hr ro hu et lv lt ca eu gl id ms vi sq is ga cy af sw tl"
                        .split(" ")) {
            m.put(l, LATIN);
        }
        for (String l : "ru uk bg be mk kk mn".split(" ")) {
            m.put(l, EnumSet.of(UnicodeScript.CYRILLIC));
        }
        m.put("el", EnumSet.of(UnicodeScript.GREEK));
        for (String l : "ar fa ur".split(" ")) {
            m.put(l, EnumSet.of(UnicodeScript.ARABIC));
        }
        for (String l : "hi mr ne".split(" ")) {
            m.put(l, EnumSet.of(UnicodeScript.DEVANAGARI));
        }
        m.put("he", EnumSet.of(UnicodeScript.HEBREW));
        m.put("th", EnumSet.of(UnicodeScript.THAI));
        m.put("ka", EnumSet.of(UnicodeScript.GEORGIAN));
        m.put("hy", EnumSet.of(UnicodeScript.ARMENIAN));
        m.put("bn", EnumSet.of(UnicodeScript.BENGALI));
        m.put("ta", EnumSet.of(UnicodeScript.TAMIL));
        m.put("ja", EnumSet.of(UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA));
        m.put("zh", EnumSet.of(UnicodeScript.HAN));
        m.put("ko", EnumSet.of(UnicodeScript.HANGUL, UnicodeScript.HAN));
        return Map.copyOf(m);
    }
}
