package io.streamlip.platform.flink;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Flink environment every job of the pipeline runs in, from {@link JobSettings}.
 *
 * <p>All through the {@link Configuration} (Flink 2.x reads the state backend there): RocksDB with
 * incremental, exactly-once checkpoints retained on cancellation ({@link
 * JobSettings#retainedCheckpoints}), the settings' {@link RestartPolicy}, and Kryo refused, so a
 * type without explicit type information fails when the job is built.
 *
 * <p>Run in-process (the demo, tests), {@link #create} gives a local environment: {@code
 * executeAsync()} starts a MiniCluster for the job and stops it when the job ends, so cancelling
 * the returned {@code JobClient} also frees the cluster. On a cluster the same call picks up the
 * cluster's environment and these settings override the job's.
 */
public final class JobEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(JobEnvironment.class);

    /** The logger of Flink's metric groups (they log through the interface's name). */
    public static final String METRIC_GROUP_LOGGER = "org.apache.flink.metrics.MetricGroup";

    private JobEnvironment() {}

    /** The configuration of {@code settings}. */
    public static Configuration configuration(JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());

        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        // Most state reads of the filter ask for a key that is not there (a new pair's duplicate
        // key, a new caption in its cluster): a bloom filter per SST file answers those without
        // searching the file's index and data blocks.
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
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

        // A cancelled job keeps its newest checkpoints: a resubmission resumes from one
        // (--from-checkpoint) with its dedup and near-duplicate state instead of starting empty.
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, settings.retainedCheckpoints());

        setRestartStrategy(conf, settings.restartPolicy());

        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records over without a deep copy through their serializer. Safe
        // here: every function of the pipeline builds a new object for what it emits and neither
        // keeps nor changes a record it received (a stage that must change one copies it, e.g.
        // the cross-modal scorer's CuratedPair.newBuilder(pair)).
        conf.set(PipelineOptions.OBJECT_REUSE, true);

        // Only used when the environment is local (MiniCluster): keep its REST endpoint on
        // loopback and on a free port, so parallel runs and tests do not collide.
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        return conf;
    }

    private static void setRestartStrategy(Configuration conf, RestartPolicy policy) {
        if (policy instanceof RestartPolicy.Fixed fixed) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, fixed.attempts());
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, fixed.delay());
        } else if (policy instanceof RestartPolicy.Exponential exp) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                    exp.initialBackoff());
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                    exp.maxBackoff());
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER,
                    exp.multiplier());
            conf.set(
                    RestartStrategyOptions
                            .RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                    exp.resetThreshold());
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR,
                    exp.jitter());
            // Explicit, so a cluster configuration with a cap does not end the job.
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                    Integer.MAX_VALUE);
        } else {
            throw new IllegalArgumentException("unknown restart policy " + policy);
        }
    }

    /**
     * Raises the logger Flink's metric groups warn through ({@value #METRIC_GROUP_LOGGER}) to ERROR
     * when Log4j 2 is the logging backend. The Kafka clients register metrics whose names repeat
     * across their groups, and Flink warns once per repeated name and operator: dozens of harmless
     * lines per job start. Affects this JVM (the demo's MiniCluster runs in it); on a cluster, put
     * {@code logger.metricgroup.name = org.apache.flink.metrics.MetricGroup} and {@code
     * logger.metricgroup.level = error} into the TaskManagers' log4j configuration instead.
     */
    public static void silenceMetricNameCollisions() {
        try {
            Class<?> level = Class.forName("org.apache.logging.log4j.Level");
            Class.forName("org.apache.logging.log4j.core.config.Configurator")
                    .getMethod("setLevel", String.class, level)
                    .invoke(null, METRIC_GROUP_LOGGER, level.getField("ERROR").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.debug(
                    "Log4j 2 core not available, metric name collisions stay at WARN: {}",
                    e.toString());
        }
    }

    /**
     * Cancels a job started with {@code executeAsync()} and waits until it has stopped, so its
     * Kafka producers and (for a local environment) its MiniCluster are gone before the caller
     * moves on, e.g. to stopping the broker. Records the job wrote but had not committed yet are
     * aborted: a read_committed consumer never sees them.
     *
     * @throws TimeoutException when the job has not stopped within {@code timeout}
     */
    public static void cancel(JobClient job, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            job.cancel().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // Already finished or failed: nothing left to cancel; the result below says how.
            LOG.debug("cancelling {}: {}", job.getJobID(), e.getCause().toString());
        }
        long left = Math.max(1, deadline - System.nanoTime());
        try {
            job.getJobExecutionResult().get(left, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // A cancelled job's result is an exception; that is the expected end.
            LOG.debug("job {} ended: {}", job.getJobID(), e.getCause().toString());
        }
        LOG.info("job {} cancelled", job.getJobID());
    }

    /** An environment configured by {@code settings}. */
    public static StreamExecutionEnvironment create(JobSettings settings) {
        silenceMetricNameCollisions();
        return StreamExecutionEnvironment.getExecutionEnvironment(configuration(settings));
    }
}
