package io.streamlip.ingest.flink;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PipelineTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.util.ParameterTool;

/**
 * The command line of a job's {@code main} when it runs on a cluster: {@code --bootstrap HOST:PORT
 * --checkpoint-dir URI [--parallelism N] [--checkpoint-interval-ms MS] [--topic-prefix P]
 * [--restart-attempts N] [--restart-delay-ms MS] [--bounded]}.
 *
 * <p>On a cluster a job meets more failures than in a test (a TaskManager lost, a broker
 * restarted), so the restart budget ({@link JobSettings#restartAttempts}) can be raised here.
 *
 * @param kafka the Kafka cluster
 * @param topics the pipeline's topics (defaults, optionally prefixed)
 * @param settings the Flink settings ({@link JobSettings#defaults} plus what was given)
 * @param bounded stop at the input's end as of the start
 */
public record JobArguments(
        KafkaClients kafka, PipelineTopics topics, JobSettings settings, boolean bounded) {

    private static final Set<String> KNOWN =
            Set.of(
                    "bootstrap",
                    "checkpoint-dir",
                    "parallelism",
                    "checkpoint-interval-ms",
                    "topic-prefix",
                    "restart-attempts",
                    "restart-delay-ms",
                    "bounded");

    /** Parses {@code args}; throws with a usage message on anything unknown or missing. */
    public static JobArguments parse(String[] args) {
        ParameterTool options;
        try {
            options = ParameterTool.fromArgs(args);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        for (String name : options.toMap().keySet()) {
            if (!KNOWN.contains(name)) {
                throw usage("unknown option --" + name);
            }
        }
        JobSettings defaults = JobSettings.defaults(Path.of("checkpoints"));
        JobSettings settings;
        try {
            settings =
                    new JobSettings(
                            options.getInt("parallelism", defaults.parallelism()),
                            Duration.ofMillis(
                                    options.getLong(
                                            "checkpoint-interval-ms",
                                            defaults.checkpointInterval().toMillis())),
                            required(options, "checkpoint-dir"),
                            options.getInt("restart-attempts", defaults.restartAttempts()),
                            Duration.ofMillis(
                                    options.getLong(
                                            "restart-delay-ms",
                                            defaults.restartDelay().toMillis())));
        } catch (NumberFormatException e) {
            throw usage("not a number: " + e.getMessage());
        }
        return new JobArguments(
                KafkaClients.of(required(options, "bootstrap")),
                PipelineTopics.defaults().withPrefix(options.get("topic-prefix", "")),
                settings,
                options.has("bounded"));
    }

    private static String required(ParameterTool options, String name) {
        String value = options.get(name);
        // ParameterTool stores "--name" given without a value as its (protected) NO_VALUE_KEY.
        if (value == null || value.equals("__NO_VALUE_KEY")) {
            throw usage("missing --" + name);
        }
        return value;
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(
                problem
                        + "; usage: --bootstrap HOST:PORT --checkpoint-dir URI [--parallelism N]"
                        + " [--checkpoint-interval-ms MS] [--topic-prefix P] [--restart-attempts N]"
                        + " [--restart-delay-ms MS] [--bounded]");
    }
}
