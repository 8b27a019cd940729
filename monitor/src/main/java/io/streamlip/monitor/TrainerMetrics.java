package io.streamlip.monitor;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Prometheus metrics of a running trainer ({@code streamlip_trainer_*}), for the trainer's own
 * process: the {@code train} command feeds it the trainer's progress. Plain values in, so this
 * module does not depend on the trainer.
 */
public final class TrainerMetrics {
    private final Gauge step;
    private final Gauge examplesSeen;
    private final Gauge loss;
    private final Gauge examplesPerSecond;
    private final Gauge temperature;
    private final Gauge bias;
    private final Gauge skipped;
    private final Gauge freshness;

    /** Registers the trainer's metrics with {@code registry}. */
    public TrainerMetrics(PrometheusRegistry registry) {
        step =
                Gauge.builder()
                        .name("streamlip_trainer_step")
                        .help("Optimizer steps of the model.")
                        .register(registry);
        examplesSeen =
                Gauge.builder()
                        .name("streamlip_trainer_examples_seen")
                        .help("Examples trained on in total.")
                        .register(registry);
        loss =
                Gauge.builder()
                        .name("streamlip_trainer_loss")
                        .help("Mean sigmoid loss of the latest logging window.")
                        .register(registry);
        examplesPerSecond =
                Gauge.builder()
                        .name("streamlip_trainer_examples_per_second")
                        .help("Training throughput of the latest logging window.")
                        .register(registry);
        temperature =
                Gauge.builder()
                        .name("streamlip_trainer_temperature")
                        .help("The sigmoid loss's temperature t = exp(t').")
                        .register(registry);
        bias =
                Gauge.builder()
                        .name("streamlip_trainer_bias")
                        .help("The sigmoid loss's bias b.")
                        .register(registry);
        skipped =
                Gauge.builder()
                        .name("streamlip_trainer_skipped_records")
                        .help("Records the loader refused in this run.")
                        .register(registry);
        freshness =
                Gauge.builder()
                        .name("streamlip_trainer_freshness_seconds")
                        .help(
                                "Age of the training data when trained on, from the Kafka record's"
                                        + " timestamp to the end of its step: the trainer's p50 and"
                                        + " p95 over its latest examples.")
                        .labelNames("quantile")
                        .register(registry);
    }

    /**
     * Takes the trainer's latest progress.
     *
     * @param loss NaN before the first logging window (then left unset)
     */
    public void update(
            long stepValue,
            long examplesSeenValue,
            double lossValue,
            double examplesPerSecondValue,
            double temperatureValue,
            double biasValue,
            long skippedValue) {
        step.set(stepValue);
        examplesSeen.set(examplesSeenValue);
        setIfKnown(loss, lossValue);
        setIfKnown(examplesPerSecond, examplesPerSecondValue);
        setIfKnown(temperature, temperatureValue);
        setIfKnown(bias, biasValue);
        skipped.set(skippedValue);
    }

    /**
     * Takes the trainer's freshness: the p50 and p95 age of its latest trained examples, in seconds
     * (NaN while unknown: then left unset).
     */
    public void freshness(double p50Seconds, double p95Seconds) {
        setIfKnown(freshness.labelValues("0.5"), p50Seconds);
        setIfKnown(freshness.labelValues("0.95"), p95Seconds);
    }

    private static void setIfKnown(
            io.prometheus.metrics.core.datapoints.GaugeDataPoint gauge, double value) {
        if (!Double.isNaN(value)) {
            gauge.set(value);
        }
    }
}
