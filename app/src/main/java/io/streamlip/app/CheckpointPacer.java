package io.streamlip.app;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints the demo's Flink job often while it curates and seldom while it is idle. Its
 * exactly-once sinks commit at each checkpoint, so while pairs flow a short interval is what keeps
 * the trainer's examples fresh; once curation is idle there is nothing to commit, and a checkpoint
 * a second only wakes threads that the trainer's step shares the cores with. The job itself is
 * configured with the long (idle) interval; {@link #tick}, called at the short one, triggers a
 * checkpoint while curation is busy and the previous one it triggered has completed.
 *
 * <p>{@link #tick} is for one thread; {@link #busy} may be called from any.
 */
final class CheckpointPacer {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointPacer.class);

    private final Supplier<CompletableFuture<?>> trigger;
    private final AtomicLong triggered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean busy = true;
    private CompletableFuture<?> pending;

    /** Paces {@code trigger}, which starts a checkpoint and completes when it has completed. */
    CheckpointPacer(Supplier<CompletableFuture<?>> trigger) {
        this.trigger = trigger;
    }

    /** Whether curation is busy (the pacer starts busy). */
    void busy(boolean curating) {
        busy = curating;
    }

    /** Triggers a checkpoint if curation is busy and none this pacer triggered is in flight. */
    void tick() {
        if (!busy || (pending != null && !pending.isDone())) {
            return;
        }
        try {
            pending =
                    trigger.get()
                            .whenComplete(
                                    (id, error) -> {
                                        if (error != null) {
                                            failed.incrementAndGet();
                                            // The job's periodic checkpoints still run.
                                            LOG.debug("a triggered checkpoint failed: {}", error);
                                        }
                                    });
            triggered.incrementAndGet();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.debug("triggering a checkpoint failed: {}", e.toString());
        }
    }

    /** Checkpoints triggered so far. */
    long triggered() {
        return triggered.get();
    }

    /** Triggered checkpoints that failed, or could not be triggered. */
    long failed() {
        return failed.get();
    }
}
