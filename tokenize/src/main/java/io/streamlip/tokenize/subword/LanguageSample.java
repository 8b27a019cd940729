package io.streamlip.tokenize.subword;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A language-balanced sample of training text: at most {@code capPerLanguage} captions of each
 * language, drawn uniformly from everything offered (reservoir sampling, so a topic or folder of
 * any size streams through in bounded memory). Without a cap the most frequent language would take
 * most merges and the others would fall back to bytes. Captions are NFC-normalised on the way in;
 * blank ones are skipped. Deterministic for a given input order and seed; not thread-safe.
 */
public final class LanguageSample {
    private final int capPerLanguage;
    private final Random random;
    private final Map<String, List<String>> byLanguage = new TreeMap<>();
    private final Map<String, Long> offered = new TreeMap<>();

    public LanguageSample(int capPerLanguage, long seed) {
        if (capPerLanguage < 1) {
            throw new IllegalArgumentException("capPerLanguage must be positive");
        }
        this.capPerLanguage = capPerLanguage;
        this.random = new Random(seed);
    }

    /** Offers one caption; {@code lang} may be null or empty (counted as {@code und}). */
    public void offer(String lang, String caption) {
        if (caption == null || caption.isBlank()) {
            return;
        }
        String key = lang == null || lang.isBlank() ? "und" : lang;
        long seen = offered.merge(key, 1L, Long::sum);
        List<String> kept = byLanguage.computeIfAbsent(key, k -> new ArrayList<>());
        String text = ByteLevel.normalize(caption);
        if (kept.size() < capPerLanguage) {
            kept.add(text);
        } else {
            long slot = (long) (random.nextDouble() * seen);
            if (slot < capPerLanguage) {
                kept.set((int) slot, text);
            }
        }
    }

    /** The kept captions by language (sorted by language). */
    public Map<String, List<String>> byLanguage() {
        Map<String, List<String>> out = new TreeMap<>();
        byLanguage.forEach((k, v) -> out.put(k, Collections.unmodifiableList(v)));
        return out;
    }

    /** How many captions of each language were offered (before the cap). */
    public Map<String, Long> offered() {
        return Collections.unmodifiableMap(offered);
    }

    /** Every kept caption, language by language. */
    public List<String> texts() {
        List<String> all = new ArrayList<>();
        byLanguage.values().forEach(all::addAll);
        return all;
    }
}
