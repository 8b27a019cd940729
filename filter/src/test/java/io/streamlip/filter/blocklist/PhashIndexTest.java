package io.streamlip.filter.blocklist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The multi-index pHash lookup gives exactly what a scan of every listed hash gives. */
class PhashIndexTest {

    /** The nearest listed hash within {@code max} bits, smallest of ties: a scan of them all. */
    static OptionalLong bruteForce(Iterable<Long> listed, long query, int max) {
        boolean found = false;
        long best = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (long h : listed) {
            int d = Long.bitCount(h ^ query);
            if (d > max) {
                continue;
            }
            if (d < bestDistance || (d == bestDistance && Long.compareUnsigned(h, best) < 0)) {
                found = true;
                best = h;
                bestDistance = d;
            }
        }
        return found ? OptionalLong.of(best) : OptionalLong.empty();
    }

    /** {@code hash} with {@code bits} (at most 64) distinct random bits flipped. */
    static long flip(long hash, int bits, Random random) {
        if (bits < 0 || bits > 64) {
            throw new IllegalArgumentException("bits " + bits);
        }
        long mask = 0;
        while (Long.bitCount(mask) < bits) {
            mask |= 1L << random.nextInt(64);
        }
        return hash ^ mask;
    }

    /** 0 to 28 take the index; 28 and 64 visit more buckets than one table has: the scan. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4, 6, 7, 8, 12, 20, 28, 64})
    void matchesAScanOfEveryHashAtAndAroundTheDistance(int max) {
        Random random = new Random(max);
        Set<Long> listed = new LinkedHashSet<>();
        PhashIndex index = new PhashIndex(max);
        // Random hashes, and clusters of near copies that share chunks (full buckets, ties).
        for (int i = 0; i < 500; i++) {
            long h = random.nextLong();
            listed.add(h);
            for (int j = 0; j < 3; j++) {
                listed.add(flip(h, 1 + random.nextInt(Math.min(64, max + 2)), random));
            }
        }
        for (long h : listed) {
            assertThat(index.add(h)).isTrue();
        }
        assertThat(index.add(listed.iterator().next())).isFalse();
        assertThat(index.size()).isEqualTo(listed.size());

        List<Long> hashes = new ArrayList<>(listed);
        int matched = 0;
        for (int q = 0; q < 500; q++) {
            long base = hashes.get(random.nextInt(hashes.size()));
            // Exactly at the distance, one bit inside it, one bit beyond it, and anywhere.
            for (int bits : new int[] {max, max - 1, max + 1, random.nextInt(65)}) {
                if (bits < 0 || bits > 64) {
                    continue;
                }
                long query = flip(base, bits, random);
                OptionalLong expected = bruteForce(listed, query, max);
                assertThat(index.nearest(query))
                        .as("query %016x, max %d", query, max)
                        .isEqualTo(expected);
                matched += expected.isPresent() ? 1 : 0;
            }
            assertThat(index.nearest(base)).hasValue(base);
        }
        assertThat(matched).isPositive();
    }

    @Test
    void removedHashesNoLongerMatchAndTheOthersStill() {
        int max = 6;
        Random random = new Random(42);
        PhashIndex index = new PhashIndex(max);
        List<Long> listed = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long h = i % 3 == 0 && i > 0 ? flip(listed.get(i - 1), 3, random) : random.nextLong();
            if (index.add(h)) {
                listed.add(h);
            }
        }
        Set<Long> kept = new LinkedHashSet<>(listed);
        for (int i = 0; i < listed.size(); i += 2) {
            assertThat(index.remove(listed.get(i))).isTrue();
            assertThat(index.remove(listed.get(i))).isFalse();
            kept.remove(listed.get(i));
        }
        assertThat(index.size()).isEqualTo(kept.size());
        for (long h : listed) {
            assertThat(index.contains(h)).isEqualTo(kept.contains(h));
            for (int bits : new int[] {0, max, max + 1}) {
                long query = flip(h, bits, random);
                assertThat(index.nearest(query)).isEqualTo(bruteForce(kept, query, max));
            }
        }
        for (long h : listed) {
            index.remove(h);
        }
        assertThat(index.size()).isZero();
        assertThat(index.nearest(listed.get(1))).isEmpty();
        assertThat(index.add(listed.get(1))).isTrue();
        assertThat(index.nearest(listed.get(1))).hasValue(listed.get(1));
    }

    @Test
    void anEmptyIndexMatchesNothingAndTheDistanceIsBounded() {
        assertThat(new PhashIndex(6).nearest(0L)).isEmpty();
        assertThat(new PhashIndex(6).contains(0L)).isFalse();
        assertThat(new PhashIndex(6).remove(0L)).isFalse();
        assertThatThrownBy(() -> new PhashIndex(-1)).hasMessageContaining("[0, 64]");
        assertThatThrownBy(() -> new PhashIndex(65)).hasMessageContaining("[0, 64]");
    }
}
