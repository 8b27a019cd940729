package io.streamlip.ingest.flink;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the Flink environment every job of the pipeline runs in, from {@link JobSettings}.
 *
 * <p>Everything goes through the {@link Configuration} (Flink 2.x takes the state backend from
 * there, not from {@code env.setStateBackend}): RocksDB state with incremental checkpoints,
 * exactly-once checkpoints at the configured interval (the Kafka sinks commit on them), a bounded
 * fixed-delay restart strategy, and generic (Kryo) types refused, so a record type without explicit
 * type information fails when the job is built rather than being serialized slowly.
 *
 * <p>Run in-process (the demo, tests), {@link #create} gives a local environment: {@code
 * executeAsync()} starts a MiniCluster for the job and stops it when the job ends, so cancelling
 * the returned {@code JobClient} also frees the cluster. On a cluster the same call picks up the
 * cluster's environment and these settings override the job's.
 */
public final class JobEnvironment {
    private JobEnvironment() {}

    /** The configuration of {@code settings}. */
    public static Configuration configuration(JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());

        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir());
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        conf.set(
                CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS,
                settings.checkpointInterval().dividedBy(2));
        // A bounded source finishing still gets a final checkpoint, which commits the sinks.
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);

        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                settings.restartAttempts());
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, settings.restartDelay());

        conf.set(PipelineOptions.GENERIC_TYPES, false);

        // Only used when the environment is local (MiniCluster): keep its REST endpoint on
        // loopback and on a free port, so parallel runs and tests do not collide.
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        return conf;
    }

    /** An environment configured by {@code settings}. */
    public static StreamExecutionEnvironment create(JobSettings settings) {
        return StreamExecutionEnvironment.getExecutionEnvironment(configuration(settings));
    }
}
