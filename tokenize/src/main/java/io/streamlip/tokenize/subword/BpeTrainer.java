package io.streamlip.tokenize.subword;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns a byte-level BPE vocabulary from text, in plain Java: normalise (NFC), split into
 * pre-tokens ({@link ByteLevel}), count the distinct pre-tokens, start from the 256 byte symbols
 * (so every string encodes) and repeatedly merge the most frequent adjacent pair until the
 * vocabulary has {@link Config#vocabSize()} tokens or no pair occurs {@link Config#minPairCount()}
 * times. Pair counts are updated incrementally: a merge only touches the pre-tokens that hold the
 * pair. Ties go to the pair with the smaller ids, so a run is deterministic.
 *
 * <p>Balance the input first ({@link LanguageSample}): the merges follow the counts.
 */
public final class BpeTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);

    /**
     * What to learn.
     *
     * @param vocabSize tokens in the vocabulary including the two special tokens and the 256 bytes
     *     (default 8,192; at least 258)
     * @param minPairCount a pair seen fewer times is not merged (default 2)
     * @param capPerLanguage captions kept per language by {@link LanguageSample} (default 20,000)
     * @param seed seeds the sample (default 7)
     */
    public record Config(int vocabSize, int minPairCount, int capPerLanguage, long seed) {
        public Config {
            if (vocabSize < BpeModel.BYTE_OFFSET + 256) {
                throw new IllegalArgumentException(
                        "vocabSize must be at least 258 (2 special + 256 bytes), got " + vocabSize);
            }
            if (minPairCount < 1 || capPerLanguage < 1) {
                throw new IllegalArgumentException("minPairCount and capPerLanguage must be >= 1");
            }
        }

        /** The documented defaults. */
        public static Config defaults() {
            return builder().build();
        }

        /** A builder starting from the defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from this configuration. */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /**
         * Builds {@link Config}; each setting starts at its default and is named as its component.
         */
        public static final class Builder {
            private int vocabSize = 8192;
            private int minPairCount = 2;
            private int capPerLanguage = 20_000;
            private long seed = 7;

            private Builder() {}

            private Builder(Config c) {
                vocabSize = c.vocabSize;
                minPairCount = c.minPairCount;
                capPerLanguage = c.capPerLanguage;
                seed = c.seed;
            }

            public Builder vocabSize(int value) {
                vocabSize = value;
                return this;
            }

            public Builder minPairCount(int value) {
                minPairCount = value;
                return this;
            }

            public Builder capPerLanguage(int value) {
                capPerLanguage = value;
                return this;
            }

            public Builder seed(long value) {
                seed = value;
                return this;
            }

            /** The configuration; the record's constructor checks it. */
            public Config build() {
                return new Config(vocabSize, minPairCount, capPerLanguage, seed);
            }
        }

        /** An empty sample with this configuration's cap and seed. */
        public LanguageSample newSample() {
            return new LanguageSample(capPerLanguage, seed);
        }
    }

    private final Config config;

    public BpeTrainer(Config config) {
        this.config = config;
    }

    /** Learns from every caption of {@code sample}. */
    public BpeModel train(LanguageSample sample) {
        return train(sample.texts());
    }

    /** Learns from {@code texts} (normalised here if they are not yet). */
    public BpeModel train(List<String> texts) {
        long start = System.nanoTime();
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String pretoken : ByteLevel.split(ByteLevel.normalize(text))) {
                counts.merge(ByteLevel.toByteChars(pretoken), 1, Integer::sum);
            }
        }
        // Sorted, so that word indices (and with them nothing else) do not depend on hashing.
        Map<String, Integer> sorted = new TreeMap<>(counts);
        int[][] words = new int[sorted.size()][];
        int[] freq = new int[sorted.size()];
        int w = 0;
        for (Map.Entry<String, Integer> e : sorted.entrySet()) {
            String chars = e.getKey();
            int[] symbols = new int[chars.length()];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = BpeModel.BYTE_OFFSET + ByteLevel.byteOf(chars.charAt(i));
            }
            words[w] = symbols;
            freq[w++] = e.getValue();
        }

        List<String> vocab = new ArrayList<>();
        vocab.add(BpeModel.PAD);
        vocab.add(BpeModel.EOS);
        for (int b = 0; b < 256; b++) {
            vocab.add(String.valueOf(ByteLevel.charOf(b)));
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }

        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            addPairs(words[i], freq[i], i, pairCount, where);
        }
        PriorityQueue<long[]> queue = new PriorityQueue<>(BpeTrainer::byCountThenPair);
        pairCount.forEach((pair, count) -> queue.add(new long[] {count, pair}));

        List<String[]> merges = new ArrayList<>();
        Set<Long> merged = new HashSet<>();
        while (vocab.size() < config.vocabSize() && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            long current = pairCount.getOrDefault(pair, 0L);
            if (current != top[0]) {
                if (current > 0) {
                    queue.add(new long[] {current, pair}); // stale entry: requeue at its count
                }
                continue;
            }
            if (current < config.minPairCount()) {
                break;
            }
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            String token = vocab.get(left) + vocab.get(right);
            Integer id = ids.get(token);
            if (id == null) {
                id = vocab.size();
                vocab.add(token);
                ids.put(token, id);
            }
            if (merged.add(pair)) {
                merges.add(new String[] {vocab.get(left), vocab.get(right)});
            }
            Set<Long> touched = new HashSet<>();
            for (int word : new ArrayList<>(where.getOrDefault(pair, Set.of()))) {
                removePairs(words[word], freq[word], word, pairCount, where, touched);
                words[word] = applyMerge(words[word], left, right, id);
                addPairs(words[word], freq[word], word, pairCount, where);
                collectPairs(words[word], touched);
            }
            for (long p : touched) {
                long c = pairCount.getOrDefault(p, 0L);
                if (c > 0 && p != pair) {
                    queue.add(new long[] {c, p});
                }
            }
            pairCount.remove(pair);
            where.remove(pair);
        }
        BpeModel model = new BpeModel(vocab, merges);
        LOG.info(
                "trained a {}-token BPE vocabulary ({} merges) on {} texts, {} distinct pre-tokens,"
                        + " in {} ms",
                vocab.size(),
                merges.size(),
                texts.size(),
                words.length,
                (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    private static int byCountThenPair(long[] a, long[] b) {
        int c = Long.compare(b[0], a[0]);
        return c != 0 ? c : Long.compare(a[1], b[1]);
    }

    static int[] applyMerge(int[] symbols, int left, int right, int merged) {
        int[] out = new int[symbols.length];
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = symbols[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static void addPairs(
            int[] s, int freq, int word, Map<Long, Long> pairCount, Map<Long, Set<Integer>> where) {
        for (int i = 0; i + 1 < s.length; i++) {
            long p = BpeModel.key(s[i], s[i + 1]);
            pairCount.merge(p, (long) freq, Long::sum);
            where.computeIfAbsent(p, k -> new HashSet<>()).add(word);
        }
    }

    private static void removePairs(
            int[] s,
            int freq,
            int word,
            Map<Long, Long> pairCount,
            Map<Long, Set<Integer>> where,
            Set<Long> touched) {
        for (int i = 0; i + 1 < s.length; i++) {
            long p = BpeModel.key(s[i], s[i + 1]);
            touched.add(p);
            long left = pairCount.merge(p, (long) -freq, Long::sum);
            if (left <= 0) {
                pairCount.remove(p);
            }
            Set<Integer> in = where.get(p);
            if (in != null) {
                in.remove(word);
                if (in.isEmpty()) {
                    where.remove(p);
                }
            }
        }
    }

    private static void collectPairs(int[] s, Set<Long> touched) {
        for (int i = 0; i + 1 < s.length; i++) {
            touched.add(BpeModel.key(s[i], s[i + 1]));
        }
    }
}
