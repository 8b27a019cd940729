package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BucketCacheTest {

    @Test
    void keepsWhatWasPutAndAppended() {
        BucketCache cache = new BucketCache(1 << 20);
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        cache.put(1L, List.of(a));
        cache.append(1L, b);
        cache.append(2L, b); // not cached: nothing to append to

        assertThat(cache.get(1L)).containsExactly(a, b);
        assertThat(cache.get(2L)).isNull();
        cache.put(1L, List.of());
        assertThat(cache.get(1L)).isEmpty();
    }

    @Test
    void dropsTheLeastRecentlyUsedBucketsBeyondTheBudget() {
        // Each one-chunk bucket of 1000 bytes costs a little more with bookkeeping.
        BucketCache cache = new BucketCache(3500);
        cache.put(1L, List.of(new byte[1000]));
        cache.put(2L, List.of(new byte[1000]));
        cache.put(3L, List.of(new byte[1000]));
        cache.get(1L); // 2 is now the least recently used
        cache.put(4L, List.of(new byte[1000]));

        assertThat(cache.get(2L)).isNull();
        assertThat(cache.get(1L)).isNotNull();
        assertThat(cache.get(3L)).isNotNull();
        assertThat(cache.get(4L)).isNotNull();
        assertThat(cache.bytes()).isLessThanOrEqualTo(3500);
    }

    @Test
    void aBucketLargerThanTheBudgetIsNotKeptAndAZeroBudgetKeepsNothing() {
        BucketCache cache = new BucketCache(2000);
        cache.put(1L, List.of(new byte[500]));
        cache.put(2L, List.of(new byte[3000]));
        assertThat(cache.get(2L)).isNull();
        assertThat(cache.get(1L)).isNotNull();
        cache.append(1L, new byte[3000]);
        assertThat(cache.get(1L)).isNull();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();

        BucketCache none = new BucketCache(0);
        none.put(1L, List.of(new byte[64]));
        assertThat(none.get(1L)).isNull();
        assertThatThrownBy(() -> new BucketCache(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budgetBytes");
    }
}
