package io.streamlip.trainer;

import java.nio.file.Path;

/**
 * A snapshot of a running trainer, for dashboards and the demo's progress line.
 *
 * @param step the model's step count
 * @param examplesSeen examples trained on in total
 * @param loss mean loss of the latest logging window (NaN before the first)
 * @param examplesPerSecond throughput of the latest logging window
 * @param temperature {@code t = exp(t')}
 * @param bias {@code b}
 * @param skippedRecords records refused by the loader in this run
 * @param checkpoint the newest checkpoint (of this run, else the one it resumed from), or null
 * @param freshnessP50Millis median produce-to-trained latency of the latest examples (NaN when
 *     unknown)
 * @param freshnessP95Millis its 95th percentile
 */
public record TrainingProgress(
        long step,
        long examplesSeen,
        double loss,
        double examplesPerSecond,
        double temperature,
        double bias,
        long skippedRecords,
        Path checkpoint,
        double freshnessP50Millis,
        double freshnessP95Millis) {

    static final TrainingProgress NONE =
            new TrainingProgress(
                    0, 0, Double.NaN, 0, Double.NaN, Double.NaN, 0, null, Double.NaN, Double.NaN);
}
