package io.streamlip.trainer;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At the close of each logging window ({@code logEvery} steps): updates the run's {@link
 * TrainingProgress} and logs a line of loss, throughput, learning rate, gradient norm, {@code t},
 * {@code b}, refused records and freshness; for LIMoE one more line per sparse block (its routing
 * at the window's last step).
 */
final class ProgressLogger implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    @Override
    public void onStep(TrainingRun run, StepEvent step) {
        TrainingRun.LossWindow window = step.window();
        if (window == null) {
            return;
        }
        TrainingSession.StepResult result = step.result();
        LatencyStats.Percentiles fresh = run.freshness().recent();
        long skipped = run.source().skipped();
        run.progress(
                new TrainingProgress(
                        result.step(),
                        run.examplesSeen(),
                        window.meanLoss(),
                        window.examplesPerSecond(),
                        result.temperature(),
                        result.bias(),
                        skipped,
                        run.lastCheckpoint(),
                        fresh.p50Millis(),
                        fresh.p95Millis()));
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "step %d  loss %.4f  %.0f ex/s  lr %.2e  |g| %.2f  t %.3f  b %.3f"
                                + "  skipped %d  fresh p50 %.0f ms p95 %.0f ms",
                        result.step(),
                        window.meanLoss(),
                        window.examplesPerSecond(),
                        result.learningRate(),
                        result.gradientNorm(),
                        result.temperature(),
                        result.bias(),
                        skipped,
                        fresh.p50Millis(),
                        fresh.p95Millis()));
        // LIMoE: how the window's last step routed (nothing for the other families).
        if (run.session().lastRouting() != null) {
            run.session().lastRouting().digest().forEach(LOG::info);
        }
    }
}
