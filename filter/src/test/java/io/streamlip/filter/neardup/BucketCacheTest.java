package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BucketCacheTest {

    @Test
    void keepsWhatWasPutAndAppended() {
        BucketCache cache = new BucketCache(1 << 20);
        cache.put(1L, DecodedBucket.of(List.of(members(1))));
        cache.append(1L, members(2));
        cache.append(2L, members(1)); // not cached: nothing to append to

        assertThat(cache.get(1L).chunks()).isEqualTo(2);
        assertThat(cache.get(1L).size()).isEqualTo(3);
        assertThat(cache.get(2L)).isNull();
        assertThat(cache.bytes()).isEqualTo(cache.get(1L).heapBytes());
        cache.put(1L, DecodedBucket.empty());
        assertThat(cache.get(1L).size()).isZero();
    }

    @Test
    void dropsTheLeastRecentlyUsedBucketsBeyondTheBudget() {
        long one = bucket(15).heapBytes();
        BucketCache cache = new BucketCache(3 * one + one / 2);
        cache.put(1L, bucket(15));
        cache.put(2L, bucket(15));
        cache.put(3L, bucket(15));
        cache.get(1L); // 2 is now the least recently used
        cache.put(4L, bucket(15));

        assertThat(cache.get(2L)).isNull();
        assertThat(cache.get(1L)).isNotNull();
        assertThat(cache.get(3L)).isNotNull();
        assertThat(cache.get(4L)).isNotNull();
        assertThat(cache.bytes()).isEqualTo(3 * one);
    }

    @Test
    void aBucketLargerThanTheBudgetIsNotKeptAndAZeroBudgetKeepsNothing() {
        BucketCache cache = new BucketCache(bucket(30).heapBytes());
        cache.put(1L, bucket(8));
        cache.put(2L, bucket(45));
        assertThat(cache.get(2L)).isNull();
        assertThat(cache.get(1L)).isNotNull();
        cache.append(1L, members(45));
        assertThat(cache.get(1L)).isNull();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();

        BucketCache none = new BucketCache(0);
        none.put(1L, bucket(1));
        assertThat(none.get(1L)).isNull();
        assertThatThrownBy(() -> new BucketCache(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budgetBytes");
    }

    private static DecodedBucket bucket(int members) {
        return DecodedBucket.of(List.of(members(members)));
    }

    private static byte[] members(int n) {
        return new byte[n * BandMember.BYTES];
    }
}
