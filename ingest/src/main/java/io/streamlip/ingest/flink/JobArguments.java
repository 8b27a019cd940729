package io.streamlip.ingest.flink;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PipelineTopics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a job's {@code main} when it runs on a cluster: {@code --bootstrap HOST:PORT
 * --checkpoint-dir URI [--parallelism N] [--checkpoint-interval-ms MS] [--topic-prefix P]
 * [--bounded]}.
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
                    "bounded");

    /** Parses {@code args}; throws with a usage message on anything unknown or missing. */
    public static JobArguments parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !KNOWN.contains(name)) {
                throw usage("unexpected argument '" + args[i] + "'");
            }
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(name, args[++i]);
            } else {
                options.put(name, "true");
            }
        }
        JobSettings defaults = JobSettings.defaults(java.nio.file.Path.of("checkpoints"));
        JobSettings settings =
                new JobSettings(
                        Integer.parseInt(options.getOrDefault("parallelism", "1")),
                        options.containsKey("checkpoint-interval-ms")
                                ? java.time.Duration.ofMillis(
                                        Long.parseLong(options.get("checkpoint-interval-ms")))
                                : defaults.checkpointInterval(),
                        required(options, "checkpoint-dir"),
                        defaults.restartAttempts(),
                        defaults.restartDelay());
        return new JobArguments(
                KafkaClients.of(required(options, "bootstrap")),
                PipelineTopics.defaults().withPrefix(options.getOrDefault("topic-prefix", "")),
                settings,
                options.containsKey("bounded"));
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw usage("missing --" + name);
        }
        return value;
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(
                problem
                        + "; usage: --bootstrap HOST:PORT --checkpoint-dir URI [--parallelism N]"
                        + " [--checkpoint-interval-ms MS] [--topic-prefix P] [--bounded]");
    }
}
