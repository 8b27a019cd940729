package io.streamlip.platform.flink;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the pipeline's Flink jobs run: parallelism, checkpointing and restarts, turned into a Flink
 * {@code Configuration} by {@link JobEnvironment}. {@link #cluster} never gives up restarting;
 * {@link #defaults} (in-process runs, tests) restarts a bounded number of times. See
 * docs/decisions/flink-settings.md.
 *
 * @param parallelism default parallelism of every operator (default 1)
 * @param checkpointInterval how often to checkpoint, also how long exactly-once output stays
 *     invisible (default 5 s; tests use 500 ms)
 * @param checkpointDir URI or local path of the checkpoints, retained on cancellation
 * @param restartPolicy restarts after a failure: {@link RestartPolicy#exponential()} on a cluster,
 *     {@code fixed(2, 1 s)} in process
 * @param retainedCheckpoints completed checkpoints kept (default 3)
 */
public record JobSettings(
        int parallelism,
        Duration checkpointInterval,
        String checkpointDir,
        RestartPolicy restartPolicy,
        int retainedCheckpoints)
        implements Serializable {

    /** {@link #retainedCheckpoints} unless set otherwise. */
    public static final int DEFAULT_RETAINED_CHECKPOINTS = 3;

    public JobSettings {
        if (parallelism < 1) {
            throw new IllegalArgumentException(
                    "parallelism must be at least 1, got " + parallelism);
        }
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException(
                    "checkpointInterval must be at least 10 ms, got " + checkpointInterval);
        }
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        if (checkpointDir.isBlank()) {
            throw new IllegalArgumentException("checkpointDir must not be blank");
        }
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        if (retainedCheckpoints < 1) {
            throw new IllegalArgumentException(
                    "retainedCheckpoints must be at least 1, got " + retainedCheckpoints);
        }
    }

    /**
     * The in-process defaults (demo, tests), checkpointing into {@code checkpointDir}: restarts
     * bounded to 2, 1 s apart, so a job that keeps failing ends instead of hanging its caller.
     */
    public static JobSettings defaults(Path checkpointDir) {
        return builder().checkpointDir(checkpointDir.toUri().toString()).build();
    }

    /**
     * The defaults of a job on a cluster, checkpointing into {@code checkpointDir} (a URI or a
     * path): restarts never give up ({@link RestartPolicy#exponential()}).
     */
    public static JobSettings cluster(String checkpointDir) {
        return builder()
                .checkpointDir(checkpointDir)
                .restartPolicy(RestartPolicy.exponential())
                .build();
    }

    /** A builder starting from the in-process defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds {@link JobSettings}; each setting starts at its in-process default and is named as its
     * component; {@code checkpointDir} has none and must be set.
     */
    public static final class Builder {
        private int parallelism = 1;
        private Duration checkpointInterval = Duration.ofSeconds(5);
        private String checkpointDir;
        private RestartPolicy restartPolicy = RestartPolicy.fixed(2, Duration.ofSeconds(1));
        private int retainedCheckpoints = DEFAULT_RETAINED_CHECKPOINTS;

        private Builder() {}

        private Builder(JobSettings s) {
            parallelism = s.parallelism;
            checkpointInterval = s.checkpointInterval;
            checkpointDir = s.checkpointDir;
            restartPolicy = s.restartPolicy;
            retainedCheckpoints = s.retainedCheckpoints;
        }

        public Builder parallelism(int value) {
            parallelism = value;
            return this;
        }

        public Builder checkpointInterval(Duration value) {
            checkpointInterval = value;
            return this;
        }

        public Builder checkpointDir(String value) {
            checkpointDir = value;
            return this;
        }

        public Builder restartPolicy(RestartPolicy value) {
            restartPolicy = value;
            return this;
        }

        public Builder retainedCheckpoints(int value) {
            retainedCheckpoints = value;
            return this;
        }

        /** The settings; the record's constructor checks them. */
        public JobSettings build() {
            return new JobSettings(
                    parallelism,
                    checkpointInterval,
                    checkpointDir,
                    restartPolicy,
                    retainedCheckpoints);
        }
    }
}
