package io.streamlip.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A spilled example keeps its rendered caption; one spilled without it still reads back. */
class BufferedExampleRenderingTest {
    @Test
    void theRenderedCaptionSurvivesTheSpill() {
        byte[] rendered = {0, 127, 127, 0};
        BufferedExample spilled =
                new BufferedExample(
                        2,
                        7L,
                        99L,
                        1,
                        new DecodedExample(
                                "id", "en", new byte[] {1, 2, 3}, new int[] {5, 1}, rendered));
        DecodedExample back = BufferedExample.decode(spilled.encode()).example();
        assertThat(back.renderedText()).containsExactly(rendered);
        assertThat(back.tokenIds()).containsExactly(5, 1);

        BufferedExample plain =
                new BufferedExample(
                        2,
                        7L,
                        99L,
                        1,
                        new DecodedExample("id", null, new byte[] {1}, new int[] {1}));
        assertThat(BufferedExample.decode(plain.encode()).example().renderedText()).isNull();
        // Bytes spilled before rendered captions were carried: no trailing length at all.
        byte[] bytes = plain.encode();
        byte[] old = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        BufferedExample legacy = BufferedExample.decode(old);
        assertThat(legacy.example().renderedText()).isNull();
        assertThat(legacy.example().tokenIds()).containsExactly(1);
    }
}
