package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.ingest.kafka.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamlip submit}: uploads the jobs' fat jar to a Flink session cluster and starts the
 * filter and tokenize jobs on it, each as its own Flink job with the pipeline's arguments.
 */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Submit the pipeline's Flink jobs (filter, tokenize) to a running Flink session"
                    + " cluster through its REST API: upload the jobs jar"
                    + " (deploy/target/streamlip-deploy-*-jobs.jar), then run each job's main"
                    + " class with --bootstrap, --checkpoint-dir and the options below.",
            "Creates the pipeline topics that do not exist. Prints the job ids and each job's"
                    + " arguments as one JSON object. The jobs get the bootstrap servers, the topic"
                    + " prefix and every --kafka-property (SASL/SSL settings reach their sources,"
                    + " sinks and admin clients); secret values (keys naming a password, jaas,"
                    + " secret, token or key) are masked in what this command prints and in the"
                    + " jobs' logs, but Flink holds them in the job's program arguments: prefer"
                    + " Kafka config providers (e.g. ${file:...}) for production secrets.",
            ""
        })
final class SubmitCommand implements Callable<Integer> {
    /** The jobs this command knows, by name, with their main classes. */
    static final Map<String, String> JOBS =
            Map.of(
                    "filter", "io.streamlip.filter.FilterJob",
                    "tokenize", "io.streamlip.tokenize.TokenizeJob");

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--flink",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8081",
            description = "The Flink cluster's REST endpoint (default: ${DEFAULT-VALUE}).")
    String flink;

    @Option(
            names = "--jar",
            required = true,
            paramLabel = "JAR",
            description = "The jobs' fat jar (built by the deploy module: *-jobs.jar).")
    Path jar;

    @Option(
            names = "--jobs",
            split = ",",
            paramLabel = "NAME",
            defaultValue = "filter,tokenize",
            description = "Which jobs to start (default: ${DEFAULT-VALUE}).")
    List<String> jobs;

    @Option(
            names = "--checkpoint-dir",
            required = true,
            paramLabel = "URI",
            description =
                    "Where the jobs checkpoint (file:///..., s3://...); each job uses a sub-folder"
                            + " of its own.")
    String checkpointDir;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of each job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--checkpoint-interval-ms",
            paramLabel = "MS",
            defaultValue = "5000",
            description =
                    "Checkpoint interval; the exactly-once sinks commit on checkpoints (default:"
                            + " ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(
            names = "--restart-attempts",
            paramLabel = "N",
            defaultValue = "10",
            description =
                    "Restarts after failures (lost TaskManager, broker restart) before a job fails"
                            + " for good (default: ${DEFAULT-VALUE}).")
    int restartAttempts;

    @Option(
            names = "--restart-delay-ms",
            paramLabel = "MS",
            defaultValue = "2000",
            description = "Pause between restarts (default: ${DEFAULT-VALUE}).")
    long restartDelayMs;

    @Option(
            names = "--savepoint",
            paramLabel = "PATH",
            description = "Start the jobs from this savepoint (one job per savepoint).")
    String savepoint;

    @Option(
            names = "--tokenizer",
            paramLabel = "bytes|FILE",
            description =
                    "The tokenize job's tokenizer: bytes (the default) or a tokenizer.json from"
                            + " 'streamlip tokenizer train', at a path the Flink JobManager can"
                            + " read (the job's main runs there; the file then travels inside the"
                            + " operator). The trainer must use the same file.")
    String tokenizer;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (String job : jobs) {
            if (!JOBS.containsKey(job)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "unknown job " + job + "; known: " + JOBS.keySet());
            }
        }
        if (savepoint != null && jobs.size() != 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--savepoint belongs to one job: give --jobs NAME");
        }
        kafka.createTopics();
        FlinkRestClient client = new FlinkRestClient(flink, Duration.ofMinutes(2));
        String jarId = client.uploadJar(jar);
        Map<String, String> started = new LinkedHashMap<>();
        for (String job : jobs) {
            started.put(job, client.run(jarId, JOBS.get(job), arguments(job), savepoint));
        }
        ObjectNode out = Json.object();
        out.put("flink", flink);
        out.put("jar_id", jarId);
        ObjectNode ids = out.putObject("jobs");
        started.forEach(ids::put);
        ObjectNode arguments = out.putObject("arguments");
        for (String job : jobs) {
            var list = arguments.putArray(job);
            Secrets.maskArguments(arguments(job)).forEach(list::add);
        }
        spec.commandLine().getOut().println(Json.pretty(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The job's command line (see {@code JobArguments}), secrets included: only for Flink, never to
     * print or log without {@link Secrets#maskArguments}.
     */
    List<String> arguments(String job) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--bootstrap", kafka.bootstrap));
        String dir = checkpointDir.endsWith("/") ? checkpointDir : checkpointDir + "/";
        args.addAll(List.of("--checkpoint-dir", dir + job));
        args.addAll(List.of("--parallelism", Integer.toString(parallelism)));
        args.addAll(List.of("--checkpoint-interval-ms", Long.toString(checkpointIntervalMs)));
        args.addAll(List.of("--restart-attempts", Integer.toString(restartAttempts)));
        args.addAll(List.of("--restart-delay-ms", Long.toString(restartDelayMs)));
        if (!kafka.topicPrefix.isEmpty()) {
            args.addAll(List.of("--topic-prefix", kafka.topicPrefix));
        }
        if (tokenizer != null && job.equals("tokenize")) {
            args.addAll(List.of("--tokenizer", tokenizer));
        }
        // Security settings (SASL/SSL) must reach the jobs' clients too, not only this command's.
        kafka.properties.forEach(
                (key, value) ->
                        args.addAll(List.of(Secrets.KAFKA_PROPERTY_OPTION, key + "=" + value)));
        return args;
    }
}
