package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearCopyMemoTest {
    @Test
    void remembersVerdictsByOrderedPairOfImages() {
        NearCopyMemo memo = new NearCopyMemo();
        assertThat(memo.get(1, 2)).isNull();
        memo.put(1, 2, true);
        memo.put(1, 3, false);
        assertThat(memo.get(1, 2)).isTrue();
        assertThat(memo.get(1, 3)).isFalse();
        assertThat(memo.get(2, 1)).isNull();
        memo.put(1, 2, false);
        assertThat(memo.get(1, 2)).isFalse();
        // Image id 0 is an id like any other, not an empty slot.
        memo.put(0, 0, true);
        assertThat(memo.get(0, 0)).isTrue();
    }

    @Test
    void aCollidingPairForgetsButNeverAnswersForAnother() {
        NearCopyMemo memo = new NearCopyMemo();
        SplittableRandom random = new SplittableRandom(3);
        int pairs = 4 * NearCopyMemo.SLOTS;
        long[] probes = new long[pairs];
        long[] members = new long[pairs];
        for (int i = 0; i < pairs; i++) {
            probes[i] = random.nextLong();
            members[i] = random.nextLong();
            memo.put(probes[i], members[i], (probes[i] ^ members[i]) < 0);
        }
        int remembered = 0;
        for (int i = 0; i < pairs; i++) {
            Boolean verdict = memo.get(probes[i], members[i]);
            if (verdict != null) {
                remembered++;
                assertThat(verdict).isEqualTo((probes[i] ^ members[i]) < 0);
            }
        }
        // The last pairs put fill most slots: they spread over the table.
        assertThat(remembered).isBetween(NearCopyMemo.SLOTS / 2, NearCopyMemo.SLOTS);
    }

    @Test
    void aMemoOfNoSlotsRemembersNothingAndASlotCountMustBeAPowerOfTwo() {
        NearCopyMemo none = new NearCopyMemo(0);
        none.put(1, 2, true);
        assertThat(none.get(1, 2)).isNull();
        NearCopyMemo one = new NearCopyMemo(1);
        one.put(1, 2, true);
        one.put(3, 4, false);
        assertThat(one.get(1, 2)).isNull();
        assertThat(one.get(3, 4)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NearCopyMemo(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }
}
