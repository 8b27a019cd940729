package io.streamlip.ingest.flink;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the pipeline's Flink jobs run: parallelism, checkpointing and restarts. One value for the
 * whole environment, turned into a Flink {@code Configuration} by {@link JobEnvironment}.
 *
 * @param parallelism default parallelism of every operator (default 1; the topics have 2
 *     partitions, so 2 is the most a source can use by default)
 * @param checkpointInterval how often to checkpoint (default 5 s). The exactly-once Kafka sinks
 *     commit on checkpoints, so this is also how long written records stay invisible to
 *     read_committed consumers; tests use 500 ms
 * @param checkpointDir where checkpoints go: a URI ({@code file:///...}, {@code s3://...}) or a
 *     local path
 * @param restartAttempts restarts after a failure before the job fails for good (default 2).
 *     Bounded on purpose: with checkpointing on, Flink's default restarts forever
 * @param restartDelay pause between restarts (default 1 s)
 */
public record JobSettings(
        int parallelism,
        Duration checkpointInterval,
        String checkpointDir,
        int restartAttempts,
        Duration restartDelay)
        implements Serializable {

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
        if (restartAttempts < 0) {
            throw new IllegalArgumentException(
                    "restartAttempts must not be negative, got " + restartAttempts);
        }
        Objects.requireNonNull(restartDelay, "restartDelay");
    }

    /** The documented defaults, checkpointing into {@code checkpointDir}. */
    public static JobSettings defaults(Path checkpointDir) {
        return new JobSettings(
                1,
                Duration.ofSeconds(5),
                checkpointDir.toUri().toString(),
                2,
                Duration.ofSeconds(1));
    }

    public JobSettings withParallelism(int value) {
        return new JobSettings(
                value, checkpointInterval, checkpointDir, restartAttempts, restartDelay);
    }

    public JobSettings withCheckpointInterval(Duration value) {
        return new JobSettings(parallelism, value, checkpointDir, restartAttempts, restartDelay);
    }

    public JobSettings withRestarts(int attempts, Duration delay) {
        return new JobSettings(parallelism, checkpointInterval, checkpointDir, attempts, delay);
    }
}
