package io.streamlip.ingest.flink;

import io.streamlip.ingest.kafka.KafkaClients;
import io.streamlip.ingest.kafka.PipelineTopics;
import io.streamlip.ingest.kafka.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.ParameterTool;

/**
 * The command line of a job's {@code main} when it runs on a cluster: {@code --bootstrap HOST:PORT
 * --checkpoint-dir URI [--parallelism N] [--checkpoint-interval-ms MS] [--topic-prefix P]
 * [--restart-attempts N] [--restart-delay-ms MS] [--kafka-property KEY=VALUE]... [--bounded]}.
 *
 * <p>{@code --kafka-property KEY=VALUE} (repeatable, also {@code --kafka-property=KEY=VALUE}) is a
 * Kafka client property for every source, sink and admin client the job builds: SASL/SSL settings
 * reach the cluster's Kafka this way. {@link #toString} masks secret values ({@link Secrets}).
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
        Map<String, String> kafkaProperties = new LinkedHashMap<>();
        String[] rest = extractKafkaProperties(args, kafkaProperties);
        ParameterTool options;
        try {
            options = ParameterTool.fromArgs(rest);
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
                KafkaClients.of(required(options, "bootstrap")).with(kafkaProperties),
                PipelineTopics.defaults().withPrefix(options.get("topic-prefix", "")),
                settings,
                options.has("bounded"));
    }

    /**
     * Moves every {@code --kafka-property KEY=VALUE} of {@code args} into {@code properties}
     * (ParameterTool keeps one value per name) and returns the other arguments.
     */
    private static String[] extractKafkaProperties(String[] args, Map<String, String> properties) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String property;
            if (arg.equals(Secrets.KAFKA_PROPERTY_OPTION)) {
                if (i + 1 >= args.length) {
                    throw usage("missing KEY=VALUE after " + Secrets.KAFKA_PROPERTY_OPTION);
                }
                property = args[++i];
            } else if (arg.startsWith(Secrets.KAFKA_PROPERTY_OPTION + "=")) {
                property = arg.substring(Secrets.KAFKA_PROPERTY_OPTION.length() + 1);
            } else {
                rest.add(arg);
                continue;
            }
            int eq = property.indexOf('=');
            if (eq <= 0) {
                // Not the value itself: it may be a secret.
                throw usage(
                        Secrets.KAFKA_PROPERTY_OPTION
                                + " takes KEY=VALUE, got "
                                + (eq < 0 ? "no '='" : "no key"));
            }
            properties.put(property.substring(0, eq).trim(), property.substring(eq + 1));
        }
        return rest.toArray(String[]::new);
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
                        + " [--restart-delay-ms MS] [--kafka-property KEY=VALUE]... [--bounded]");
    }
}
