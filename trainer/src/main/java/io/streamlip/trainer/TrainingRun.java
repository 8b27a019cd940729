package io.streamlip.trainer;

import io.streamlip.trainer.checkpoint.TrainingState;
import io.streamlip.trainer.data.BatchSource;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.eval.EvalReport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The state of one {@link Trainer#run} that its listeners share: the session and source, the counts
 * of this run and of the checkpoint it resumed from, the losses, freshness, offsets, the newest
 * checkpoint and evaluation. The loop records each step here before it notifies the listeners. Used
 * on the training thread only, except {@link #progress()}.
 */
final class TrainingRun {
    /** Examples the steady-state freshness percentiles cover (the latest ones). */
    static final int FRESHNESS_WINDOW = 4096;

    /**
     * A logging window closed by a step.
     *
     * @param meanLoss mean loss of the window's steps
     * @param examplesPerSecond trained examples per second of the window's wall time
     */
    record LossWindow(double meanLoss, double examplesPerSecond) {}

    private final TrainingSession session;
    private final BatchSource source;
    private final long startNanos = System.nanoTime();
    private final long examplesBefore;
    private final long skippedBefore;
    private final Map<TopicPartition, Long> offsets;
    private final LossTracker losses;
    private final LatencyStats freshness = new LatencyStats(FRESHNESS_WINDOW);
    private long steps;
    private long examples;
    private long windowStart = startNanos;
    private long windowExamples;
    private Path lastCheckpoint;
    private EvalReport lastEvaluation;
    private EvalReport evaluationNow;
    private StopCondition.Reason stopReason;
    private volatile TrainingProgress progress = TrainingProgress.NONE;

    /**
     * A run of {@code session} reading {@code source}, continuing {@code resumed} (the state of
     * {@code resumedFrom}), or a new model when both are null.
     */
    TrainingRun(
            TrainingSession session,
            BatchSource source,
            int logEvery,
            TrainingState resumed,
            Path resumedFrom) {
        this.session = session;
        this.source = source;
        this.examplesBefore = resumed == null ? 0 : resumed.examplesSeen();
        this.skippedBefore = resumed == null ? 0 : resumed.skippedRecords();
        // What batches without a streaming source report (nextOffsets); a streaming source's
        // exact position replaces it at each checkpoint.
        this.offsets = resumed == null ? new HashMap<>() : new HashMap<>(resumed.offsetMap());
        this.losses =
                new LossTracker(
                        logEvery,
                        resumed == null || resumed.loss() == null
                                ? List.of()
                                : resumed.loss().history());
        this.lastCheckpoint = resumedFrom; // what a run without steps leaves as newest
    }

    /** Records a step taken on {@code batch}: counts, offsets, losses. */
    StepEvent record(TrainingBatch batch, TrainingSession.StepResult result) {
        evaluationNow = null;
        offsets.putAll(batch.nextOffsets()); // a dropped batch is not to be read again either
        if (result.skipped()) {
            return new StepEvent(batch, result, null);
        }
        steps++;
        examples += batch.size();
        windowExamples += batch.size();
        LossWindow window = null;
        if (losses.add(result.step(), result.loss())) {
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            window = new LossWindow(losses.windowMean(), windowExamples / seconds);
            windowStart = System.nanoTime();
            windowExamples = 0;
        }
        return new StepEvent(batch, result, window);
    }

    /** Records why the run stopped, before the listeners' {@code onEnd}. */
    void stopped(StopCondition.Reason reason) {
        evaluationNow = null;
        stopReason = reason;
    }

    TrainingSession session() {
        return session;
    }

    BatchSource source() {
        return source;
    }

    long startNanos() {
        return startNanos;
    }

    /** Steps trained (not dropped) in this run. */
    long steps() {
        return steps;
    }

    /** Examples trained on in this run. */
    long examples() {
        return examples;
    }

    /** Examples trained on in total, the resumed checkpoint's included. */
    long examplesSeen() {
        return examplesBefore + examples;
    }

    /** Records the loader refused in total, the resumed checkpoint's included. */
    long skippedRecordsSeen() {
        return skippedBefore + source.skipped();
    }

    /** The offsets after the batches trained or dropped so far (for sources without a position). */
    Map<TopicPartition, Long> offsets() {
        return offsets;
    }

    LossTracker losses() {
        return losses;
    }

    /** Produce-to-trained latencies of this run's examples. */
    LatencyStats freshness() {
        return freshness;
    }

    /** The newest checkpoint: this run's, else the one it resumed from, else null. */
    Path lastCheckpoint() {
        return lastCheckpoint;
    }

    void checkpointed(Path checkpoint) {
        lastCheckpoint = checkpoint;
    }

    /** The newest evaluation of this run, or null. */
    EvalReport lastEvaluation() {
        return lastEvaluation;
    }

    /** The evaluation made at the current step (or at the end), or null when there was none. */
    EvalReport evaluationNow() {
        return evaluationNow;
    }

    void evaluated(EvalReport report) {
        evaluationNow = report;
        lastEvaluation = report;
    }

    /** Why the run stopped; null until it has. */
    StopCondition.Reason stopReason() {
        return stopReason;
    }

    /** The latest progress snapshot, safe to read from any thread. */
    TrainingProgress progress() {
        return progress;
    }

    void progress(TrainingProgress latest) {
        progress = latest;
    }
}
