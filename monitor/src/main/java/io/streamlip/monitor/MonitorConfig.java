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
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link MonitorConfig}; each setting starts at its default and is named as its
     * component.
     */
    public static final class Builder {
        private Duration interval = Duration.ofSeconds(5);
        private int window = 10;
        private Path historyDir = null;
        private Duration retention = Duration.ofDays(7);
        private Path trainerMetricsFile = null;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxTrainerUpdates = 2000;

        private Builder() {}

        private Builder(MonitorConfig c) {
            interval = c.interval;
            window = c.window;
            historyDir = c.historyDir;
            retention = c.retention;
            trainerMetricsFile = c.trainerMetricsFile;
            requestTimeout = c.requestTimeout;
            maxTrainerUpdates = c.maxTrainerUpdates;
        }

        public Builder interval(Duration value) {
            interval = value;
            return this;
        }

        public Builder window(int value) {
            window = value;
            return this;
        }

        public Builder historyDir(Path value) {
            historyDir = value;
            return this;
        }

        public Builder retention(Duration value) {
            retention = value;
            return this;
        }

        public Builder trainerMetricsFile(Path value) {
            trainerMetricsFile = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder maxTrainerUpdates(int value) {
            maxTrainerUpdates = value;
            return this;
        }

        /** The configuration; the record's constructor checks it. */
        public MonitorConfig build() {
            return new MonitorConfig(
                    interval,
                    window,
                    historyDir,
                    retention,
                    trainerMetricsFile,
                    requestTimeout,
                    maxTrainerUpdates);
        }
    }
}
