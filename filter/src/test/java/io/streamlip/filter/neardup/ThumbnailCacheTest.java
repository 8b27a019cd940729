package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ThumbnailCacheTest {
    @Test
    void keepsTheThumbnailOfAnImageIdAndNeverAnswersForAnother() {
        ThumbnailCache cache = new ThumbnailCache(ThumbnailCache.SLOTS);
        assertThat(cache.get(0)).isNull(); // an empty slot is not image 0's
        byte[] zero = {1, 2, 3};
        cache.put(0, zero);
        assertThat(cache.get(0)).isSameAs(zero);
        SplittableRandom random = new SplittableRandom(5);
        int images = 4 * ThumbnailCache.SLOTS;
        long[] ids = new long[images];
        for (int i = 0; i < images; i++) {
            ids[i] = random.nextLong();
            cache.put(ids[i], new byte[] {(byte) ids[i], (byte) (ids[i] >>> 8)});
        }
        int kept = 0;
        for (long id : ids) {
            byte[] thumbnail = cache.get(id);
            if (thumbnail != null) {
                kept++;
                assertThat(thumbnail).containsExactly((byte) id, (byte) (id >>> 8));
            }
        }
        // The last images put fill most slots: they spread over the table.
        assertThat(kept).isBetween(ThumbnailCache.SLOTS / 2, ThumbnailCache.SLOTS);
    }

    @Test
    void aCacheOfNoSlotsKeepsNothingAndASlotCountMustBeAPowerOfTwo() {
        ThumbnailCache none = new ThumbnailCache(0);
        none.put(7, new byte[] {7});
        assertThat(none.get(7)).isNull();
        ThumbnailCache one = new ThumbnailCache(1);
        one.put(7, new byte[] {7});
        one.put(8, new byte[] {8});
        assertThat(one.get(7)).isNull();
        assertThat(one.get(8)).containsExactly(8);
        assertThatThrownBy(() -> new ThumbnailCache(3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
