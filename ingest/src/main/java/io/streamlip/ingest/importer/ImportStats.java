package io.streamlip.ingest.importer;

import io.streamlip.platform.bounds.BoundedText;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.schemas.RawPair;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an import did: pairs handed over, per language and per source, and what it left out and why.
 * Nothing an importer leaves out goes unmentioned: every skipped candidate is counted under a
 * reason code, every refused input line under {@link #rejected()}.
 *
 * <p>Bounded whatever the input: language keys are the hints that look like BCP 47 tags ({@link
 * #languageKey}), at most {@value #MAX_KEYS} distinct language and source keys are kept (the rest
 * count under {@value #OTHER}), and names are cut at {@link BoundedText#MAX_DETAIL} characters.
 *
 * @param importer the importer's name
 * @param pairs pairs handed to the sink
 * @param perLanguage pairs per language hint ({@code und} when a pair has none, {@code invalid}
 *     when it is not a language tag)
 * @param perSource pairs per {@code source} (e.g. {@code emoji:google})
 * @param skipped candidates left out, per reason code (the importer documents its codes and their
 *     unit)
 * @param rejected input the importer refused (malformed lines, images it may not read)
 * @param elapsedMillis wall time of the import, in milliseconds
 */
public record ImportStats(
        String importer,
        long pairs,
        SortedMap<String, Long> perLanguage,
        SortedMap<String, Long> perSource,
        SortedMap<String, Long> skipped,
        ImportRejects rejected,
        long elapsedMillis) {

    /** Most distinct language or source keys kept; the rest count under {@value #OTHER}. */
    public static final int MAX_KEYS = 256;

    /** The key counting what is beyond {@value #MAX_KEYS} distinct keys. */
    public static final String OTHER = "other";

    /** The key of language hints that are not language tags. */
    public static final String INVALID = "invalid";

    public ImportStats {
        importer = BoundedText.detail(importer);
        perLanguage = Collections.unmodifiableSortedMap(new TreeMap<>(perLanguage));
        perSource = Collections.unmodifiableSortedMap(new TreeMap<>(perSource));
        skipped = Collections.unmodifiableSortedMap(new TreeMap<>(skipped));
    }

    /** Starts counting an import by {@code importer}. */
    public static Builder builder(String importer) {
        return new Builder(importer);
    }

    @Override
    public String toString() {
        return importer
                + ": "
                + pairs
                + " pairs in "
                + perLanguage.size()
                + " languages from "
                + perSource
                + ", skipped "
                + skipped
                + ", rejected "
                + rejected.total()
                + " in "
                + elapsedMillis
                + " ms";
    }

    /** Counts pairs as they are handed over; not thread-safe (one per import). */
    public static final class Builder {
        private final String importer;
        private final long startNanos = System.nanoTime();
        private long pairs;
        private final Map<String, Long> perLanguage = new TreeMap<>();
        private final Map<String, Long> perSource = new TreeMap<>();
        private final Map<String, Long> skipped = new TreeMap<>();
        private final ImportRejects.Builder rejected = ImportRejects.builder();

        private Builder(String importer) {
            this.importer = importer;
        }

        /** Counts one pair handed to the sink. */
        public Builder count(RawPair pair) {
            pairs++;
            countUnder(perLanguage, languageKey(pair.getLangHint()));
            countUnder(perSource, BoundedText.detail(pair.getSource()));
            return this;
        }

        /**
         * The key a language hint is counted under: the hint as {@link RecordBounds#languageTag}
         * keeps it, {@code und} when absent, {@value #INVALID} when it is not a language tag.
         */
        static String languageKey(String hint) {
            if (hint == null) {
                return RecordBounds.UNDETERMINED;
            }
            String tag = RecordBounds.languageTag(hint);
            return tag.equals(RecordBounds.UNDETERMINED)
                            && !hint.equalsIgnoreCase(RecordBounds.UNDETERMINED)
                    ? INVALID
                    : tag;
        }

        private static void countUnder(Map<String, Long> counts, String key) {
            String k = counts.containsKey(key) || counts.size() < MAX_KEYS - 1 ? key : OTHER;
            counts.merge(k, 1L, Long::sum);
        }

        /** Adds the refusals of {@code rejects}. */
        public Builder rejected(ImportRejects rejects) {
            rejected.addAll(rejects);
            return this;
        }

        /** Adds {@code count} skipped candidates under {@code reason}. */
        public Builder skipped(String reason, long count) {
            if (count > 0) {
                skipped.merge(reason, count, Long::sum);
            }
            return this;
        }

        /** Adds every reason of {@code counts}. */
        public Builder skipped(Map<String, Long> counts) {
            counts.forEach(this::skipped);
            return this;
        }

        public long pairs() {
            return pairs;
        }

        public ImportStats build() {
            return new ImportStats(
                    importer,
                    pairs,
                    new TreeMap<>(perLanguage),
                    new TreeMap<>(perSource),
                    new TreeMap<>(skipped),
                    rejected.build(),
                    (System.nanoTime() - startNanos) / 1_000_000);
        }
    }
}
