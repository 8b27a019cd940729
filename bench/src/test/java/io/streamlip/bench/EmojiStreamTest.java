package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prepared stream written once and read back by every run of {@code bench families}. */
class EmojiStreamTest {

    @Test
    void aRenderedStreamReadsBackAsTheSameBatches(@TempDir Path dir) throws Exception {
        int size = 16;
        byte[] red = filled(size * size * 3, 200);
        byte[] blue = filled(size * size * 3, 20);
        byte[] catText = filled(size * size, 90);
        byte[] dogText = filled(size * size, 150);
        EmojiStream stream =
                new EmojiStream(
                        List.of(red, blue),
                        new int[] {0, 1, 0},
                        new int[][] {{5, 6, 1}, {7, 1}, {5, 6, 1}},
                        new String[] {"en", null, "de"},
                        new byte[][] {catText, dogText, catText},
                        size);
        Path file = dir.resolve("stream.bin");
        stream.write(file);
        EmojiStream back = EmojiStream.read(file);
        assertThat(back.size()).isEqualTo(3);
        assertThat(back.rendered()).isTrue();
        ModelConfig clippo =
                ModelConfig.preset("clippo-tiny", 260).toBuilder().imageSize(size).build();
        TrainingBatch a = stream.batches(3, clippo, 1, 1).next();
        TrainingBatch b = back.batches(3, clippo, 1, 1).next();
        assertThat(b.images()).containsExactly(a.images());
        assertThat(b.tokenIds()).containsExactly(a.tokenIds());
        assertThat(b.renderedTexts()).containsExactly(a.renderedTexts());
        assertThat(b.langs()).containsExactly("en", null, "de");
    }

    @Test
    void aPlainStreamHasNoRenderings(@TempDir Path dir) throws Exception {
        int size = 16;
        EmojiStream stream =
                new EmojiStream(
                        List.of(filled(size * size * 3, 1)),
                        new int[] {0, 0},
                        new int[][] {{9, 1}, {1}},
                        new String[] {"ja", "ko"},
                        null,
                        size);
        Path file = dir.resolve("plain.bin");
        stream.write(file);
        EmojiStream back = EmojiStream.read(file);
        assertThat(back.rendered()).isFalse();
        ModelConfig tiny = ModelConfig.tiny(260).toBuilder().imageSize(size).build();
        Iterator<TrainingBatch> batches = back.batches(2, tiny, 1, 2);
        TrainingBatch first = batches.next();
        assertThat(first.langs()).containsExactly("ja", "ko");
        assertThat(first.tokenIds())
                .containsExactly(stream.batches(2, tiny, 1, 1).next().tokenIds());
        assertThat(batches.hasNext()).isTrue(); // the second pass
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
