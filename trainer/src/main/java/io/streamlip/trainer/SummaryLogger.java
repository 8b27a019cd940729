package io.streamlip.trainer;

import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the run's {@link TrainingSummary} at the end and logs it. Listed last, so the summary sees
 * the final checkpoint and evaluation.
 */
final class SummaryLogger implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private TrainingSummary summary;

    /** The summary of the ended run; null before its end. */
    TrainingSummary summary() {
        return summary;
    }

    @Override
    public void onEnd(TrainingRun run) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - run.startNanos());
        LossTracker losses = run.losses();
        summary =
                new TrainingSummary(
                        run.steps(),
                        run.session().steps(),
                        run.examples(),
                        run.examplesSeen(),
                        losses.firstMean(),
                        losses.lastMean(),
                        run.examples() / Math.max(1e-9, elapsed.toNanos() / 1e9),
                        run.source().skipped(),
                        run.lastCheckpoint(),
                        elapsed,
                        run.stopReason(),
                        run.lastEvaluation(),
                        run.freshness().recent(),
                        run.freshness().overall(),
                        run.source().sampledOut(),
                        run.steps() > 0 ? run.session().lastRouting() : null);
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "training stopped (%s): %d steps, %d examples, loss %.4f -> %.4f,"
                                + " %.0f ex/s, freshness p50 %.0f ms p95 %.0f ms, checkpoint %s",
                        summary.reason(),
                        summary.steps(),
                        summary.trainedExamples(),
                        summary.firstLoss(),
                        summary.lastLoss(),
                        summary.examplesPerSecond(),
                        summary.freshness().p50Millis(),
                        summary.freshness().p95Millis(),
                        summary.checkpoint()));
    }
}
