package io.streamlip.monitor;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a {@link Monitor}.
 *
 * @param interval time between refreshes (default 5 s); also the spacing of the lag windows'
 *     observations
 * @param window commits per partition in a lag window (Burrow's {@code intervals}, default 10)
 * @param historyDir RocksDB folder for the history, or null to keep none (default null)
 * @param retention how long history is kept (default 7 days)
 * @param trainerMetricsFile the trainer's JSON-lines metrics file, or null (default null)
 * @param requestTimeout how long one Kafka request may take before the broker counts as unreachable
 *     (default 5 s)
 * @param maxTrainerUpdates model updates kept for the loss and recall curves (default 2000)
 */
public record MonitorConfig(
        Duration interval,
        int window,
        Path historyDir,
        Duration retention,
        Path trainerMetricsFile,
        Duration requestTimeout,
        int maxTrainerUpdates) {

    public MonitorConfig {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (window < 2) {
            throw new IllegalArgumentException("window must be at least 2: " + window);
        }
    }

    /** The documented defaults. */
    public static MonitorConfig defaults() {
        return new MonitorConfig(
                Duration.ofSeconds(5),
                10,
                null,
                Duration.ofDays(7),
                null,
                Duration.ofSeconds(5),
                2000);
    }

    public MonitorConfig withInterval(Duration value) {
        return new MonitorConfig(
                value,
                window,
                historyDir,
                retention,
                trainerMetricsFile,
                requestTimeout,
                maxTrainerUpdates);
    }

    public MonitorConfig withWindow(int value) {
        return new MonitorConfig(
                interval,
                value,
                historyDir,
                retention,
                trainerMetricsFile,
                requestTimeout,
                maxTrainerUpdates);
    }

    public MonitorConfig withHistory(Path dir, Duration keep) {
        return new MonitorConfig(
                interval, window, dir, keep, trainerMetricsFile, requestTimeout, maxTrainerUpdates);
    }

    public MonitorConfig withTrainerMetricsFile(Path file) {
        return new MonitorConfig(
                interval, window, historyDir, retention, file, requestTimeout, maxTrainerUpdates);
    }

    public MonitorConfig withRequestTimeout(Duration value) {
        return new MonitorConfig(
                interval,
                window,
                historyDir,
                retention,
                trainerMetricsFile,
                value,
                maxTrainerUpdates);
    }
}
