package io.streamlip.trainer;

import io.streamlip.trainer.eval.EvalReport;
import io.streamlip.trainer.limoe.RoutingStats;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What one {@link Trainer#run} did.
 *
 * @param steps optimizer steps taken in this run
 * @param globalStep the model's step count at the end (including resumed steps)
 * @param trainedExamples examples trained on in this run
 * @param examplesSeen examples trained on in total (including resumed ones)
 * @param firstLoss mean loss of this run's first 10 steps (NaN when no step was taken)
 * @param lastLoss mean loss of this run's last 10 steps (NaN when no step was taken)
 * @param examplesPerSecond trained examples per second of the run's wall time
 * @param skippedRecords records refused by the loader in this run
 * @param checkpoint the newest checkpoint (this run's, else the one it resumed from), or null
 * @param elapsed the run's wall time
 * @param reason why it stopped
 * @param evaluation the evaluation of the last checkpoint; null without an evaluation set or step
 * @param freshness Kafka timestamp to trained, over the latest examples ({@link
 *     LatencyStats#recent()})
 * @param freshnessOverall the same over every example of the run
 * @param sampledOut records passed over by the per-language sampling in this run
 * @param routing LIMoE: how the run's last step routed its tokens (what its last progress line and
 *     final checkpoint report); null for the other families and when no step was taken
 */
public record TrainingSummary(
        long steps,
        long globalStep,
        long trainedExamples,
        long examplesSeen,
        double firstLoss,
        double lastLoss,
        double examplesPerSecond,
        long skippedRecords,
        Path checkpoint,
        Duration elapsed,
        StopCondition.Reason reason,
        EvalReport evaluation,
        LatencyStats.Percentiles freshness,
        LatencyStats.Percentiles freshnessOverall,
        long sampledOut,
        RoutingStats routing) {}
