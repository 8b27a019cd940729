package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shuffle buffer: random order, every example exactly once, spilling to RocksDB. */
class ShuffleBufferTest {
    @TempDir Path temp;

    @Test
    void shufflesWithoutLosingOrDuplicatingAnything() {
        List<Long> out = new ArrayList<>();
        try (ShuffleBuffer buffer = new ShuffleBuffer(1000, temp, new StreamRandom(7))) {
            for (long i = 0; i < 200; i++) {
                buffer.add(example(i));
            }
            while (buffer.size() > 0) {
                out.add(buffer.take().offset());
            }
            assertThat(buffer.spilled()).isZero();
        }
        List<Long> in = LongStream.range(0, 200).boxed().toList();
        assertThat(out).containsExactlyInAnyOrderElementsOf(in);
        assertThat(out).isNotEqualTo(in);
        // Not merely rotated or reversed: many positions move far.
        long far =
                LongStream.range(0, 200).filter(i -> Math.abs(out.get((int) i) - i) > 20).count();
        assertThat(far).isGreaterThan(100);
    }

    @Test
    void spillsBeyondItsHeapPartAndReturnsEverySpilledExampleExactlyOnce() throws Exception {
        List<BufferedExample> out = new ArrayList<>();
        Path spillFolder;
        try (ShuffleBuffer buffer = new ShuffleBuffer(10, temp, new StreamRandom(3))) {
            for (long i = 0; i < 100; i++) {
                buffer.add(example(i));
            }
            assertThat(buffer.size()).isEqualTo(100);
            assertThat(buffer.sizeOnDisk()).isEqualTo(90);
            assertThat(buffer.spilled()).isEqualTo(90);
            try (var children = Files.list(temp)) {
                spillFolder = children.findFirst().orElseThrow();
            }
            assertThat(spillFolder.getFileName().toString()).startsWith("shuffle-");
            // Interleave takes and adds: the buffer keeps spilling as it drains.
            for (int i = 0; i < 30; i++) {
                out.add(buffer.take());
            }
            for (long i = 100; i < 150; i++) {
                buffer.add(example(i));
            }
            while (buffer.size() > 0) {
                out.add(buffer.take());
            }
            assertThat(buffer.sizeOnDisk()).isZero();
            assertThat(buffer.spilled()).isGreaterThan(90);
        }
        assertThat(spillFolder).doesNotExist();
        assertThat(out)
                .extracting(BufferedExample::offset)
                .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 150).boxed().toList());
        // What came back from disk is what went in.
        for (BufferedExample b : out) {
            assertThat(b.example().id()).isEqualTo("e" + b.offset());
            assertThat(b.example().rgb()).containsExactly((byte) b.offset(), (byte) 1, (byte) 2);
            assertThat(b.example().tokenIds()).containsExactly((int) b.offset(), 1);
            assertThat(b.produceTime()).isEqualTo(1000 + b.offset());
            assertThat(b.example().lang()).isEqualTo(b.offset() % 2 == 0 ? "en" : null);
        }
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        assertThat(drain(new StreamRandom(11))).isEqualTo(drain(new StreamRandom(11)));
        assertThat(drain(new StreamRandom(11))).isNotEqualTo(drain(new StreamRandom(12)));
    }

    @Test
    void aSavedGeneratorStateContinuesTheSameSequence() {
        StreamRandom a = new StreamRandom(5);
        a.nextLong();
        StreamRandom b = new StreamRandom(0);
        b.setState(a.state());
        assertThat(b.nextLong()).isEqualTo(a.nextLong());
        assertThat(b.nextDouble()).isEqualTo(a.nextDouble());
    }

    private List<Long> drain(StreamRandom random) {
        List<Long> out = new ArrayList<>();
        try (ShuffleBuffer buffer = new ShuffleBuffer(8, temp, random)) {
            for (long i = 0; i < 40; i++) {
                buffer.add(example(i));
            }
            while (buffer.size() > 0) {
                out.add(buffer.take().offset());
            }
        }
        return out;
    }

    private static BufferedExample example(long i) {
        return new BufferedExample(
                (int) (i % 3),
                i,
                1000 + i,
                1,
                new DecodedExample(
                        "e" + i,
                        i % 2 == 0 ? "en" : null,
                        new byte[] {(byte) i, 1, 2},
                        new int[] {(int) i, 1}));
    }
}
