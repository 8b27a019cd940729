package io.streamlip.trainer.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.streamlip.trainer.TrainingSession;
import org.junit.jupiter.api.Test;

/** The loss-memory measurement that {@code bench chunked-loss} and the GPU check share. */
class LossMemoryTest {

    @Test
    void wholeAndChunkedMeasureTheSameLossOnTheSameEmbeddings() {
        TrainingSession.setThreads(1);
        LossMemory.Measurement whole = LossMemory.measure(Device.cpu(), 48, 8, 0, 3);
        LossMemory.Measurement chunked = LossMemory.measure(Device.cpu(), 48, 8, 4, 3);
        assertThat(chunked.loss()).isCloseTo(whole.loss(), within(1e-4f * whole.loss()));
        // The embeddings are drawn from the batch size: the same run twice, the same loss.
        assertThat(LossMemory.measure(Device.cpu(), 48, 8, 0, 1).loss()).isEqualTo(whole.loss());
        assertThat(whole.millis()).hasSize(3).isSorted();
        assertThat(whole.millis()[0]).isPositive();
        assertThat(whole.peakBytes()).isNotNegative();
        assertThat(whole.method()).isNotBlank();
    }

    @Test
    void refusesNoTimedRun() {
        assertThatThrownBy(() -> LossMemory.measure(Device.cpu(), 8, 4, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeats");
    }
}
