package io.streamlip.platform.flink;

import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.platform.kafka.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.util.ParameterTool;

/**
 * The command line of a job's {@code main} when it runs on a cluster: {@code --bootstrap HOST:PORT
 * --checkpoint-dir URI [--parallelism N] [--checkpoint-interval-ms MS] [--retained-checkpoints N]
 * [--topic-prefix P] [restart options] [--kafka-property KEY=VALUE]... [--bounded]}. Kafka
 * properties reach every client the job builds; {@link #toString} masks secrets ({@link Secrets}).
 * By default restarts never give up ({@link RestartPolicy#exponential()}, each {@code
 * --restart-backoff-*} settable); {@code --restart-attempts}/{@code --restart-delay-ms} select a
 * bounded fixed delay. The options in full: docs/decisions/flink-settings.md.
 *
 * @param kafka the Kafka cluster
 * @param topics the pipeline's topics (defaults, optionally prefixed)
 * @param settings the Flink settings ({@link JobSettings#defaults} plus what was given)
 * @param bounded stop at the input's end as of the start
 * @param jobOptions the job's own options by name ({@link #parse(String[], Set)}, {@link
 *     #jobOption})
 */
public record JobArguments(
        KafkaClients kafka,
        PipelineTopics topics,
        JobSettings settings,
        boolean bounded,
        Map<String, String> jobOptions) {

    private static final String USAGE = "; usage: ";
    private static final String RESTART_ATTEMPTS = "restart-attempts";
    private static final String RESTART_DELAY = "restart-delay-ms";
    private static final String BACKOFF_INITIAL = "restart-backoff-initial-ms";
    private static final String BACKOFF_MAX = "restart-backoff-max-ms";
    private static final String BACKOFF_MULTIPLIER = "restart-backoff-multiplier";
    private static final String BACKOFF_RESET = "restart-backoff-reset-ms";
    private static final String BACKOFF_JITTER = "restart-backoff-jitter";

    static final Set<String> KNOWN =
            Set.of(
                    "bootstrap",
                    "checkpoint-dir",
                    "parallelism",
                    "checkpoint-interval-ms",
                    "topic-prefix",
                    "retained-checkpoints",
                    RESTART_ATTEMPTS,
                    RESTART_DELAY,
                    BACKOFF_INITIAL,
                    BACKOFF_MAX,
                    BACKOFF_MULTIPLIER,
                    BACKOFF_RESET,
                    BACKOFF_JITTER,
                    "bounded");

    public JobArguments {
        jobOptions = Map.copyOf(jobOptions);
    }

    /** Parses {@code args}; throws with a usage message on anything unknown or missing. */
    public static JobArguments parse(String[] args) {
        return parse(args, Set.of());
    }

    /**
     * Parses {@code args}, which may also hold the job's own options {@code jobOptionNames} (names
     * without {@code --}, each taking a value); throws with a usage message on anything unknown or
     * missing.
     */
    public static JobArguments parse(String[] args, Set<String> jobOptionNames) {
        Map<String, String> kafkaProperties = new LinkedHashMap<>();
        List<String> remaining = new ArrayList<>(List.of(args));
        Map<String, String> jobOptions = new LinkedHashMap<>();
        for (String name : jobOptionNames) {
            takeValues(remaining, "--" + name, "--" + name + " needs a value")
                    .forEach(value -> jobOptions.put(name, value));
        }
        String[] rest = extractKafkaProperties(remaining, kafkaProperties);
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
        JobSettings defaults = JobSettings.cluster(required(options, "checkpoint-dir"));
        JobSettings settings;
        try {
            settings =
                    defaults.toBuilder()
                            .parallelism(options.getInt("parallelism", defaults.parallelism()))
                            .checkpointInterval(
                                    Duration.ofMillis(
                                            options.getLong(
                                                    "checkpoint-interval-ms",
                                                    defaults.checkpointInterval().toMillis())))
                            .retainedCheckpoints(
                                    options.getInt(
                                            "retained-checkpoints", defaults.retainedCheckpoints()))
                            .restartPolicy(restartPolicy(options))
                            .build();
        } catch (NumberFormatException e) {
            throw usage("not a number: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // Our own usage message already, or a setting out of range.
            throw e.getMessage() != null && e.getMessage().contains(USAGE)
                    ? e
                    : usage(e.getMessage());
        }
        return new JobArguments(
                KafkaClients.of(required(options, "bootstrap")).with(kafkaProperties),
                PipelineTopics.defaults().prefixed(options.get("topic-prefix", "")),
                settings,
                options.has("bounded"),
                jobOptions);
    }

    /** The value of the job's own option {@code name} (without {@code --}), when given. */
    public Optional<String> jobOption(String name) {
        return Optional.ofNullable(jobOptions.get(name));
    }

    /**
     * Fixed-delay when {@code --restart-attempts} or {@code --restart-delay-ms} is given, else
     * exponential-delay with the given backoff options over {@link RestartPolicy#exponential()}.
     */
    static RestartPolicy restartPolicy(ParameterTool options) {
        boolean fixed = options.has(RESTART_ATTEMPTS) || options.has(RESTART_DELAY);
        List<String> backoff =
                Stream.of(
                                BACKOFF_INITIAL,
                                BACKOFF_MAX,
                                BACKOFF_MULTIPLIER,
                                BACKOFF_RESET,
                                BACKOFF_JITTER)
                        .filter(options::has)
                        .toList();
        if (fixed && !backoff.isEmpty()) {
            throw usage(
                    "--restart-attempts/--restart-delay-ms (fixed-delay) and --"
                            + backoff.get(0)
                            + " (exponential-delay) do not mix");
        }
        if (fixed) {
            return RestartPolicy.fixed(
                    options.getInt(RESTART_ATTEMPTS, 2),
                    Duration.ofMillis(options.getLong(RESTART_DELAY, 1000)));
        }
        RestartPolicy.Exponential d = RestartPolicy.exponential();
        return new RestartPolicy.Exponential(
                Duration.ofMillis(options.getLong(BACKOFF_INITIAL, d.initialBackoff().toMillis())),
                Duration.ofMillis(options.getLong(BACKOFF_MAX, d.maxBackoff().toMillis())),
                options.getDouble(BACKOFF_MULTIPLIER, d.multiplier()),
                Duration.ofMillis(options.getLong(BACKOFF_RESET, d.resetThreshold().toMillis())),
                options.getDouble(BACKOFF_JITTER, d.jitter()));
    }

    /**
     * Moves every {@code --kafka-property KEY=VALUE} of {@code args} into {@code properties}
     * (ParameterTool keeps one value per name) and returns the other arguments.
     */
    private static String[] extractKafkaProperties(
            List<String> args, Map<String, String> properties) {
        for (String property :
                takeValues(
                        args,
                        Secrets.KAFKA_PROPERTY_OPTION,
                        "missing KEY=VALUE after " + Secrets.KAFKA_PROPERTY_OPTION)) {
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
        return args.toArray(String[]::new);
    }

    /**
     * Removes every {@code OPTION VALUE} and {@code OPTION=VALUE} from {@code args} and returns the
     * values in order; throws {@code missing} (with the usage) when the last argument is {@code
     * OPTION}.
     */
    private static List<String> takeValues(List<String> args, String option, String missing) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(option)) {
                if (i + 1 >= args.size()) {
                    throw usage(missing);
                }
                values.add(args.remove(i + 1));
                args.remove(i--);
            } else if (arg.startsWith(option + "=")) {
                values.add(arg.substring(option.length() + 1));
                args.remove(i--);
            }
        }
        return values;
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
                        + USAGE
                        + "--bootstrap HOST:PORT --checkpoint-dir URI [--parallelism N]"
                        + " [--checkpoint-interval-ms MS] [--retained-checkpoints N]"
                        + " [--topic-prefix P] [--restart-backoff-initial-ms MS]"
                        + " [--restart-backoff-max-ms MS] [--restart-backoff-multiplier X]"
                        + " [--restart-backoff-reset-ms MS] [--restart-backoff-jitter F]"
                        + " | [--restart-attempts N] [--restart-delay-ms MS]"
                        + " [--kafka-property KEY=VALUE]... [--bounded]");
    }
}
