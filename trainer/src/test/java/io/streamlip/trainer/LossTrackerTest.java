package io.streamlip.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossTrackerTest {
    @Test
    void windowsCloseEveryWindowStepsWithTheirMean() {
        LossTracker losses = new LossTracker(2, List.of(new double[] {4, 9.0}));
        assertThat(losses.windowMean()).isNaN();
        assertThat(losses.add(5, 3.0)).isFalse();
        assertThat(losses.add(6, 2.0)).isTrue();
        assertThat(losses.windowMean()).isEqualTo(2.5);
        assertThat(losses.add(7, 1.0)).isFalse();
        assertThat(losses.windowMean()).isEqualTo(2.5); // the open window does not count yet
        assertThat(losses.add(8, 0.0)).isTrue();
        assertThat(losses.windowMean()).isEqualTo(0.5);

        assertThat(losses.takeSinceCheckpoint()).isEqualTo(1.5);
        assertThat(losses.takeSinceCheckpoint()).isNull();
        assertThat(losses.summary(null).history())
                .containsExactly(
                        new double[] {4, 9.0}, new double[] {6, 2.5}, new double[] {8, 0.5});
    }
}
