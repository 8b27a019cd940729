package io.streamlip.filter.neardup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodedBucketTest {
    private static final long[] SUMS = {1, 2, 3};

    @Test
    void numbersTheMembersInChunkOrderWithTheirHashesAndWrites() {
        byte[] first = concat(member(10, 100), member(11, 90));
        byte[] second = member(12, 120);
        DecodedBucket bucket = DecodedBucket.of(List.of(first, second));
        byte[] third = member(13, 80);
        bucket.add(third);

        assertThat(bucket.size()).isEqualTo(4);
        assertThat(bucket.chunks()).containsExactly(first, second, third);
        List<Long> hashes = new ArrayList<>();
        for (int i = 0; i < bucket.size(); i++) {
            hashes.add(bucket.hashes()[i]);
            // The row the member points at is the member's own.
            assertThat(BandMember.phash(bucket.chunk(i), bucket.offset(i)))
                    .isEqualTo(bucket.hashes()[i]);
            assertThat(BandMember.writtenAt(bucket.chunk(i), bucket.offset(i)))
                    .isEqualTo(bucket.writtenAt(i));
        }
        assertThat(hashes).containsExactly(10L, 11L, 12L, 13L);
        assertThat(bucket.offset(1)).isEqualTo(BandMember.BYTES);
        assertThat(bucket.chunk(2)).isSameAs(second);
        assertThat(bucket.oldestWrite()).isEqualTo(80);
    }

    @Test
    void growsPastItsFirstCapacityAndCountsItsHeap() {
        DecodedBucket bucket = DecodedBucket.empty();
        long empty = bucket.heapBytes();
        for (int i = 0; i < 100; i++) {
            bucket.add(member(i, 1000 - i));
        }
        assertThat(bucket.size()).isEqualTo(100);
        assertThat(bucket.hashes()[99]).isEqualTo(99);
        assertThat(bucket.oldestWrite()).isEqualTo(901);
        assertThat(bucket.heapBytes()).isGreaterThan(empty + 100L * BandMember.BYTES);
        assertThat(DecodedBucket.empty().oldestWrite()).isEqualTo(Long.MAX_VALUE);
        assertThat(DecodedBucket.of(null).size()).isZero();
    }

    @Test
    void refusesAChunkOfPartMembers() {
        assertThatThrownBy(() -> DecodedBucket.of(List.of(new byte[BandMember.BYTES + 1])))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("whole members");
    }

    private static byte[] member(long phash, long writtenAt) {
        return BandMember.of(phash, phash + 1000, SUMS, phash, 0, writtenAt);
    }

    private static byte[] concat(byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }
}
