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
        return new JobSettings(
                1,
                Duration.ofSeconds(5),
                checkpointDir.toUri().toString(),
                RestartPolicy.fixed(2, Duration.ofSeconds(1)),
                DEFAULT_RETAINED_CHECKPOINTS);
    }

    /**
     * The defaults of a job on a cluster, checkpointing into {@code checkpointDir} (a URI or a
     * path): restarts never give up ({@link RestartPolicy#exponential()}).
     */
    public static JobSettings cluster(String checkpointDir) {
        return new JobSettings(
                1,
                Duration.ofSeconds(5),
                checkpointDir,
                RestartPolicy.exponential(),
                DEFAULT_RETAINED_CHECKPOINTS);
    }

    public JobSettings withParallelism(int value) {
        return new JobSettings(
                value, checkpointInterval, checkpointDir, restartPolicy, retainedCheckpoints);
    }

    public JobSettings withCheckpointInterval(Duration value) {
        return new JobSettings(
                parallelism, value, checkpointDir, restartPolicy, retainedCheckpoints);
    }

    /** With a fixed-delay restart strategy: {@code attempts} restarts, {@code delay} apart. */
    public JobSettings withRestarts(int attempts, Duration delay) {
        return withRestartPolicy(RestartPolicy.fixed(attempts, delay));
    }

    public JobSettings withRestartPolicy(RestartPolicy value) {
        return new JobSettings(
                parallelism, checkpointInterval, checkpointDir, value, retainedCheckpoints);
    }

    public JobSettings withRetainedCheckpoints(int value) {
        return new JobSettings(
                parallelism, checkpointInterval, checkpointDir, restartPolicy, value);
    }
}
