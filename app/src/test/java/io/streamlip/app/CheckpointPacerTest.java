package io.streamlip.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CheckpointPacerTest {
    private final List<CompletableFuture<Long>> started = new ArrayList<>();
    private final CheckpointPacer pacer =
            new CheckpointPacer(
                    () -> {
                        CompletableFuture<Long> checkpoint = new CompletableFuture<>();
                        started.add(checkpoint);
                        return checkpoint;
                    });

    @Test
    void triggersWhileBusyButNeverTwoAtOnce() {
        pacer.tick();
        pacer.tick(); // the first is still in flight
        assertThat(started).hasSize(1);
        started.get(0).complete(1L);
        pacer.tick();
        assertThat(started).hasSize(2);
        assertThat(pacer.triggered()).isEqualTo(2);
    }

    @Test
    void triggersNothingWhileCurationIsIdle() {
        pacer.busy(false);
        pacer.tick();
        pacer.tick();
        assertThat(started).isEmpty();
        pacer.busy(true);
        pacer.tick();
        assertThat(started).hasSize(1);
    }

    @Test
    void aFailedCheckpointIsCountedAndTheNextTickTriesAgain() {
        pacer.tick();
        started.get(0).completeExceptionally(new IllegalStateException("declined"));
        assertThat(pacer.failed()).isEqualTo(1);
        pacer.tick();
        assertThat(started).hasSize(2);
    }

    @Test
    void aTriggerThatThrowsIsCountedAsFailed() {
        CheckpointPacer broken =
                new CheckpointPacer(
                        () -> {
                            throw new IllegalStateException("job not running");
                        });
        broken.tick();
        assertThat(broken.failed()).isEqualTo(1);
        assertThat(broken.triggered()).isZero();
    }
}
