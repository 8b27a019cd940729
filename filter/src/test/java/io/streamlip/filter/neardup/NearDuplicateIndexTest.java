package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.schemas.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearDuplicateIndexTest {
    private static final int THUMBNAIL_BYTES = 16 * 16 * 3;

    /**
     * The index looks in band buckets, compares each earlier image once and rules out by thumbnail
     * sums; the reference compares every earlier image in full. Families of near copies (a few bits
     * of hash flipped, the thumbnail shifted by a little or by too much) make clusters,
     * same-caption refusals and caps: every verdict must be the same.
     */
    @Test
    void decidesAsComparingEveryEarlierImageInFull() {
        NearDuplicateConfig config = NearDuplicateConfig.builder().clusterCap(4).build();
        NearDuplicateIndex index = new NearDuplicateIndex(config);
        Reference reference = new Reference(config);
        SplittableRandom random = new SplittableRandom(17);
        long[] hashes = new long[12];
        byte[][] thumbnails = new byte[hashes.length][];
        for (int f = 0; f < hashes.length; f++) {
            hashes[f] = random.nextLong();
            thumbnails[f] = new byte[THUMBNAIL_BYTES];
            for (int i = 0; i < THUMBNAIL_BYTES; i++) {
                thumbnails[f][i] = (byte) random.nextInt(256);
            }
        }
        int near = 0;
        int refused = 0;
        for (int n = 0; n < 3_000; n++) {
            int family = random.nextInt(hashes.length);
            long hash = hashes[family];
            for (int flips = random.nextInt(config.maxDistance() + 4); flips > 0; flips--) {
                hash ^= 1L << random.nextInt(64);
            }
            byte[] thumbnail = thumbnails[family].clone();
            int shift = random.nextInt(4) == 0 ? 12 : random.nextInt(3);
            for (int i = 0; i < THUMBNAIL_BYTES; i++) {
                thumbnail[i] = (byte) Math.min(255, (thumbnail[i] & 0xff) + shift);
            }
            String caption = "caption " + random.nextInt(6);

            Verdict<Long> expected = reference.admit(hash, thumbnail, caption);
            assertThat(index.admit(hash, thumbnail, caption)).as("pair %d", n).isEqualTo(expected);
            near += expected.accepted() && expected.value() != reference.lastId ? 1 : 0;
            refused += expected.accepted() ? 0 : 1;
        }
        assertThat(near).as("pairs that joined an earlier cluster").isGreaterThan(50);
        assertThat(refused).as("near duplicates and capped clusters").isGreaterThan(100);
    }

    /** Every earlier image compared in full, the oldest cluster among its near copies. */
    private static final class Reference {
        private final NearDuplicateConfig config;
        private final List<long[]> images = new ArrayList<>(); // id, hash, cluster, order
        private final List<byte[]> thumbnails = new ArrayList<>();
        private final Map<Long, Set<String>> captions = new HashMap<>();
        private final Map<Long, Long> pairs = new HashMap<>();
        private long started;
        long lastId;

        Reference(NearDuplicateConfig config) {
            this.config = config;
        }

        Verdict<Long> admit(long hash, byte[] thumbnail, String caption) {
            long id = NearDuplicateIndex.imageId(hash, thumbnail);
            lastId = id;
            long[] oldest = null;
            boolean stored = false;
            for (int i = 0; i < images.size(); i++) {
                long[] m = images.get(i);
                if (NearDuplicateIndex.isNearCopy(
                        hash, thumbnail, m[1], thumbnails.get(i), config)) {
                    oldest = oldest == null || m[3] < oldest[3] ? m : oldest;
                    stored |= m[0] == id;
                }
            }
            long cluster = oldest == null ? id : oldest[2];
            if (!stored) {
                images.add(new long[] {id, hash, cluster, oldest == null ? started++ : oldest[3]});
                thumbnails.add(thumbnail);
            }
            Set<String> seen = captions.computeIfAbsent(cluster, k -> new HashSet<>());
            Verdict<Long> verdict =
                    NearDuplicateIndex.decide(
                            cluster,
                            seen.contains(caption),
                            pairs.getOrDefault(cluster, 0L),
                            config);
            if (verdict.accepted()) {
                seen.add(caption);
                pairs.merge(cluster, 1L, Long::sum);
            }
            return verdict;
        }
    }
}
