package io.streamlip.ingest.importer;

import io.streamlip.platform.bounds.BoundedText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an import refused of its input (a malformed line of an index, an image it may not or cannot
 * read): how many in all, how many per reason code, and the first few with their line and a capped
 * detail. Bounded whatever the input: the reason codes are the importer's own, at most {@value
 * #MAX_EXAMPLES} examples are kept and each detail is cut at {@link BoundedText#MAX_DETAIL}
 * characters.
 *
 * @param total refused input units (lines) in all
 * @param perReason refused units per reason code
 * @param examples the first refusals, in input order
 */
public record ImportRejects(long total, SortedMap<String, Long> perReason, List<Example> examples) {
    /** Examples kept. */
    public static final int MAX_EXAMPLES = 5;

    private static final ImportRejects NONE = new ImportRejects(0, new TreeMap<>(), List.of());

    /**
     * One refusal.
     *
     * @param line the input line (1-based), or 0 when the refusal is not about a line
     * @param reason the reason code
     * @param detail what was wrong, one line of at most {@link BoundedText#MAX_DETAIL} characters
     */
    public record Example(long line, String reason, String detail) {
        public Example {
            reason = BoundedText.detail(reason);
            detail = BoundedText.detail(detail);
        }

        /** {@code line N: reason: detail}. */
        @Override
        public String toString() {
            return (line > 0 ? "line " + line + ": " : "") + reason + ": " + detail;
        }
    }

    public ImportRejects {
        perReason = Collections.unmodifiableSortedMap(new TreeMap<>(perReason));
        examples = List.copyOf(examples);
    }

    /** Nothing refused. */
    public static ImportRejects none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Counts refusals; not thread-safe. */
    public static final class Builder {
        private long total;
        private final SortedMap<String, Long> perReason = new TreeMap<>();
        private final List<Example> examples = new ArrayList<>(MAX_EXAMPLES);

        private Builder() {}

        /** Counts one refusal of {@code line} (0: none) for {@code reason}. */
        public Builder add(long line, String reason, String detail) {
            total++;
            perReason.merge(reason, 1L, Long::sum);
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(new Example(line, reason, detail));
            }
            return this;
        }

        /** Adds every refusal of {@code other}. */
        public Builder addAll(ImportRejects other) {
            total += other.total();
            other.perReason().forEach((r, n) -> perReason.merge(r, n, Long::sum));
            for (Example e : other.examples()) {
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(e);
                }
            }
            return this;
        }

        public long total() {
            return total;
        }

        public ImportRejects build() {
            return total == 0 ? NONE : new ImportRejects(total, perReason, examples);
        }
    }
}
