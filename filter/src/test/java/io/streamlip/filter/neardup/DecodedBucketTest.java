package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamlip.filter.curate.PerceptualHash;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodedBucketTest {

    @Test
    void decodesEveryFieldOfEveryMemberInChunkOrder() {
        byte[] first = concat(member(10, 100), member(11, 90));
        DecodedBucket bucket = DecodedBucket.of(List.of(first, member(12, 120)));
        bucket.add(member(13, 80));

        assertThat(bucket.size()).isEqualTo(4);
        assertThat(bucket.chunks()).isEqualTo(3);
        for (int i = 0; i < 4; i++) {
            long hash = 10 + i;
            assertThat(bucket.hash(i)).isEqualTo(hash);
            assertThat(bucket.imageId(i)).isEqualTo(hash + 1000);
            assertThat(bucket.cluster(i)).isEqualTo(hash + 2000);
            assertThat(bucket.clusterTime(i)).isEqualTo(hash + 3000);
        }
        // Written at 100, 90, 120 and 80; a retention of 10 ends each 10 after its write.
        assertThat(bucket.expired(1, 99, 10)).isFalse();
        assertThat(bucket.expired(1, 100, 10)).isTrue();
        assertThat(bucket.anyExpired(89, 10)).isFalse();
        assertThat(bucket.anyExpired(90, 10)).isTrue();
        assertThat(bucket.expired(110, 10)).isEqualTo(3);
        long[] sums = ThumbnailSums.of(new byte[48]);
        // Member 0's summary is that of sums(10): far from an all-zero thumbnail's.
        assertThat(bucket.sumsFartherThan(0, sums, 48, 0.01))
                .isEqualTo(ThumbnailSums.fartherThan(sums, sums(10), 48, 0.01))
                .isTrue();
        assertThat(bucket.sumsFartherThan(0, sums(10), 48, 0.01)).isFalse();
    }

    @Test
    void findsExactlyTheHashNearMembers() {
        Random random = new Random(7);
        List<byte[]> chunks = new ArrayList<>();
        List<Long> hashes = new ArrayList<>();
        long probe = random.nextLong();
        for (int i = 0; i < 300; i++) {
            // About half within 12 bits of the probe.
            long hash = probe ^ randomBits(random, random.nextInt(25));
            hashes.add(hash);
            chunks.add(member(hash, 1));
        }
        DecodedBucket bucket = DecodedBucket.of(chunks);
        int[] near = new int[bucket.size()];
        int count = bucket.hashNear(probe, 12, near);

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < hashes.size(); i++) {
            if (PerceptualHash.distance(probe, hashes.get(i)) <= 12) {
                expected.add(i);
            }
        }
        List<Integer> found = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            found.add(near[j]);
        }
        assertThat(found).isEqualTo(expected);
        assertThat(count).isBetween(100, 200);
    }

    @Test
    void encodesTheLiveMembersBackAsOneChunk() {
        byte[] old = member(1, 100);
        byte[] live = member(2, 900);
        byte[] added = member(3, 1000);
        DecodedBucket bucket = DecodedBucket.of(List.of(old, live));

        // Retention 500 at 1000: the member written at 100 is past it, the one at 900 is not.
        assertThat(bucket.encode(1000, 500, added)).isEqualTo(concat(live, added));
        assertThat(bucket.encode(1000, 500, null)).isEqualTo(live);
        assertThat(bucket.encode(10_000, 500, null)).isEmpty();
    }

    @Test
    void growsPastItsFirstCapacityAndCountsItsHeap() {
        DecodedBucket bucket = DecodedBucket.empty();
        long empty = bucket.heapBytes();
        for (int i = 0; i < 100; i++) {
            bucket.add(member(i, 1000 - i));
        }
        assertThat(bucket.size()).isEqualTo(100);
        assertThat(bucket.hash(99)).isEqualTo(99);
        assertThat(bucket.anyExpired(910, 10)).isFalse();
        assertThat(bucket.anyExpired(911, 10)).isTrue();
        assertThat(bucket.heapBytes()).isGreaterThanOrEqualTo(empty + 96L * BandMember.BYTES);
        assertThat(DecodedBucket.empty().anyExpired(Long.MAX_VALUE, 1000)).isFalse();
        assertThat(DecodedBucket.of(null).size()).isZero();
    }

    @Test
    void refusesAChunkOfPartMembers() {
        assertThatThrownBy(() -> DecodedBucket.of(List.of(new byte[BandMember.BYTES + 1])))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("whole members");
    }

    private static byte[] member(long phash, long writtenAt) {
        return BandMember.of(
                phash, phash + 1000, sums(phash), phash + 2000, phash + 3000, writtenAt);
    }

    /** A summary of its own per hash: a 48-byte thumbnail filled with the hash's low byte. */
    private static long[] sums(long phash) {
        byte[] thumbnail = new byte[48];
        java.util.Arrays.fill(thumbnail, (byte) (phash * 20));
        return ThumbnailSums.of(thumbnail);
    }

    private static long randomBits(Random random, int bits) {
        long mask = 0;
        while (Long.bitCount(mask) < bits) {
            mask |= 1L << random.nextInt(64);
        }
        return mask;
    }

    private static byte[] concat(byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }
}
