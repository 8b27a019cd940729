package io.streamlip.ingest.flink;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the pipeline's Flink jobs run: parallelism, checkpointing and restarts. One value for the
 * whole environment, turned into a Flink {@code Configuration} by {@link JobEnvironment}.
 *
 * <p>Two starting points: {@link #cluster} for jobs on a cluster (their {@code main}, {@code
 * streamlip submit}, the Kubernetes manifests), whose restarts never give up, and {@link #defaults}
 * for in-process runs and tests, whose restarts are bounded so that a failing job ends.
 *
 * @param parallelism default parallelism of every operator (default 1; the topics have 2
 *     partitions, so 2 is the most a source can use by default)
 * @param checkpointInterval how often to checkpoint (default 5 s). The exactly-once Kafka sinks
 *     commit on checkpoints, so this is also how long written records stay invisible to
 *     read_committed consumers; tests use 500 ms
 * @param checkpointDir where checkpoints go: a URI ({@code file:///...}, {@code s3://...}) or a
 *     local path. Checkpoints there outlive a cancelled job (retained on cancellation)
 * @param restartPolicy how the job restarts after a failure: {@link RestartPolicy#exponential()} (1
 *     s, times 1.5, at most 60 s, no cap on attempts) on a cluster, {@code fixed(2, 1 s)} in
 *     process
 * @param retainedCheckpoints how many completed checkpoints are kept (default 3): the newest can be
 *     resumed from ({@code --from-checkpoint}), the older ones are there if it is damaged
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
