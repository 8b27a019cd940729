package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.score.CrossModalArguments;
import io.streamlip.filter.score.CrossModalConfig;
import io.streamlip.platform.flink.JobSettings;
import io.streamlip.platform.flink.RestartPolicy;
import io.streamlip.platform.kafka.Secrets;
import io.streamlip.sinks.FileSinkArguments;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamlip submit}: uploads the jobs' fat jar to a Flink session cluster and starts the
 * filter and tokenize jobs on it, each as its own Flink job with the pipeline's arguments, fresh or
 * from a savepoint or retained checkpoint ({@code --from-savepoint}, {@code --from-checkpoint}).
 * The jobs restart without a cap on attempts unless {@code --restart-attempts} asks for a bound.
 * The tokenize job makes examples at the image size of the trainer's model ({@code --model}, or
 * {@code --image-size}).
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
                    + " Kafka config providers (e.g. $${file:...}) for production secrets.",
            "--live-model turns the filter's cross-modal score on: it reads model-updates and"
                    + " loads each checkpoint the trainer announces from its checkpoint_path, which"
                    + " every TaskManager must be able to read at that path (a local path: the same"
                    + " machine or a shared volume; not a URI), and the filter must come from the"
                    + " jar with the scorer (deploy/target/streamlip-deploy-*-jobs-scorer.jar),"
                    + " its TaskManagers started with DJL's offline settings (deploy/README.md).",
            "--render-text makes the tokenize job render each caption (CLIPPO) with the font of"
                    + " --render-font, read where the job's main runs (the JobManager) and carried"
                    + " inside the job. The --curated-*-dir and --examples-*-dir options add"
                    + " WebDataset or Avro file sinks: their folders must be writable the same way"
                    + " from every TaskManager (a shared volume); what they cannot write is"
                    + " rejected as sink_unwritable.",
            "The jobs restart after failures without giving up (exponential backoff) and keep"
                    + " their newest checkpoints when cancelled. To upgrade: 'streamlip stop"
                    + " --savepoint-dir DIR' (one savepoint per job), then submit the new jar with"
                    + " --from-savepoint JOB=PATH for each job.",
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
            names = "--restart-backoff-initial-ms",
            paramLabel = "MS",
            description =
                    "Restarts never give up: Flink's exponential-delay strategy without a cap on"
                            + " attempts. Pause before the first restart (default: "
                            + RestartPolicy.DEFAULT_INITIAL_BACKOFF_MS
                            + ").")
    Long backoffInitialMs;

    @Option(
            names = "--restart-backoff-max-ms",
            paramLabel = "MS",
            description =
                    "Longest pause between restarts (default: "
                            + RestartPolicy.DEFAULT_MAX_BACKOFF_MS
                            + ").")
    Long backoffMaxMs;

    @Option(
            names = "--restart-backoff-multiplier",
            paramLabel = "X",
            description =
                    "Each further pause is X times the last (default: "
                            + RestartPolicy.DEFAULT_MULTIPLIER
                            + ").")
    Double backoffMultiplier;

    @Option(
            names = "--restart-backoff-reset-ms",
            paramLabel = "MS",
            description =
                    "After this long without a failure the pause starts over (default: "
                            + RestartPolicy.DEFAULT_RESET_THRESHOLD_MS
                            + ", 1 h).")
    Long backoffResetMs;

    @Option(
            names = "--restart-backoff-jitter",
            paramLabel = "F",
            description =
                    "Each pause varies by up to this fraction (default: "
                            + RestartPolicy.DEFAULT_JITTER
                            + ").")
    Double backoffJitter;

    @Option(
            names = "--restart-attempts",
            paramLabel = "N",
            description =
                    "Instead of the exponential strategy: a fixed-delay one that fails the job for"
                            + " good after N restarts (default with --restart-delay-ms: 2).")
    Integer restartAttempts;

    @Option(
            names = "--restart-delay-ms",
            paramLabel = "MS",
            description =
                    "Pause between fixed-delay restarts (selects fixed-delay; default with"
                            + " --restart-attempts: 1000).")
    Long restartDelayMs;

    @Option(
            names = "--retained-checkpoints",
            paramLabel = "N",
            description =
                    "Completed checkpoints each job keeps; they outlive a cancelled job, for"
                            + " --from-checkpoint (default: "
                            + JobSettings.DEFAULT_RETAINED_CHECKPOINTS
                            + ").")
    Integer retainedCheckpoints;

    @Option(
            names = {"--from-savepoint", "--savepoint"},
            paramLabel = "[JOB=]PATH",
            description =
                    "Start JOB from this savepoint (what 'streamlip stop' printed); repeat for each"
                            + " job. A bare PATH needs exactly one job in --jobs.")
    List<String> fromSavepoint = new ArrayList<>();

    @Option(
            names = "--from-checkpoint",
            paramLabel = "[JOB=]PATH",
            description =
                    "Start JOB from a retained checkpoint (a chk-N folder under its checkpoint"
                            + " folder, e.g. after a cancel or a failure); repeat for each job.")
    List<String> fromCheckpoint = new ArrayList<>();

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "Start even when the savepoint holds state of an operator the job no longer"
                            + " has (that state is dropped). Off by default.")
    boolean allowNonRestoredState;

    @Option(
            names = "--tokenizer",
            paramLabel = "bytes|FILE",
            description =
                    "The tokenize job's tokenizer: bytes (the default) or a tokenizer.json from"
                            + " 'streamlip tokenizer train', at a path the Flink JobManager can"
                            + " read (the job's main runs there; the file then travels inside the"
                            + " operator). The trainer must use the same file.")
    String tokenizer;

    @Option(
            names = "--model",
            paramLabel = "tiny|small|b16|clippo-tiny|clippo-small|clippo-b16",
            description =
                    "The model preset the trainer trains ('streamlip train --model'): the tokenize"
                            + " job makes examples at its image size (b16: 224 px), as the trainer"
                            + " refuses any other, and renders the captions for a CLIPPO preset"
                            + " (clippo-*: as --render-text) (default: the trainer's default, "
                            + "${DEFAULT-VALUE}).")
    String model = TrainerConfig.defaults().model().name();

    @Option(
            names = "--image-size",
            paramLabel = "N",
            description =
                    "Instead of --model: the examples' image side in pixels, for a model of your"
                            + " own; it must be the trained model's.")
    Integer imageSize;

    @Mixin FilterOptions filter;

    @Option(
            names = "--live-model",
            description =
                    "The filter scores each pair with the newest checkpoint the trainer announced"
                            + " (cross-modal filter, low_crossmodal_score); off by default.")
    boolean liveModel;

    @Mixin CrossModalOptions crossModal;

    @Mixin RenderOptions render;

    @Option(
            names = "--" + FilterJob.CURATED_WEBDATASET_OPTION,
            paramLabel = "DIR",
            description =
                    "The filter job also writes the curated pairs as WebDataset tar shards"
                            + " (curated-NNNNNN.tar: image, caption .txt, metadata .json) into"
                            + " DIR, a path every TaskManager can write the same way (a shared"
                            + " volume; a file: URI; not s3:// or hdfs://). A shard appears once"
                            + " full and checkpointed.")
    String curatedWebDataset;

    @Option(
            names = "--" + FilterJob.CURATED_AVRO_OPTION,
            paramLabel = "DIR",
            description =
                    "The filter job also writes the curated pairs as Avro container files"
                            + " (curated-NNNNNN.avro, schema CuratedPair) into DIR (as above).")
    String curatedAvro;

    @Option(
            names = "--" + TokenizeJob.EXAMPLES_WEBDATASET_OPTION,
            paramLabel = "DIR",
            description =
                    "The tokenize job also writes the examples as WebDataset tar shards"
                            + " (examples-NNNNNN.tar) into DIR (as above).")
    String examplesWebDataset;

    @Option(
            names = "--" + TokenizeJob.EXAMPLES_AVRO_OPTION,
            paramLabel = "DIR",
            description =
                    "The tokenize job also writes the examples as Avro container files"
                            + " (examples-NNNNNN.avro, schema Example) into DIR (as above).")
    String examplesAvro;

    @Mixin ShardSizeOptions shardSize;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (String job : jobs) {
            if (!JOBS.containsKey(job)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "unknown job " + job + "; known: " + JOBS.keySet());
            }
        }
        boolean fixedDelay = restartAttempts != null || restartDelayMs != null;
        if (fixedDelay && !backoffArguments().isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--restart-attempts/--restart-delay-ms (fixed-delay) and --restart-backoff-*"
                            + " (exponential-delay) do not mix");
        }
        Map<String, String> restoreFrom = restorePaths();
        exampleImageSize(); // a wrong --model or --image-size fails before anything starts
        renderForModel(); // a CLIPPO --model switches the tokenize job's rendering on
        fileSinkArguments("filter"); // so do wrong file sink options
        fileSinkArguments("tokenize");
        render.tokenizeJobArguments(); // and --render-font without --render-text
        kafka.createTopics();
        FlinkRestClient client = new FlinkRestClient(flink, Duration.ofMinutes(2));
        String jarId = client.uploadJar(jar);
        Map<String, String> started = new LinkedHashMap<>();
        for (String job : jobs) {
            started.put(
                    job,
                    client.run(
                            jarId,
                            JOBS.get(job),
                            arguments(job),
                            restoreFrom.get(job),
                            allowNonRestoredState));
        }
        ObjectNode out = Json.object();
        out.put("flink", flink);
        out.put("jar_id", jarId);
        ObjectNode ids = out.putObject("jobs");
        started.forEach(ids::put);
        if (!restoreFrom.isEmpty()) {
            ObjectNode restored = out.putObject("restored_from");
            restoreFrom.forEach(restored::put);
        }
        ObjectNode arguments = out.putObject("arguments");
        for (String job : jobs) {
            var list = arguments.putArray(job);
            Secrets.maskArguments(arguments(job)).forEach(list::add);
        }
        spec.commandLine().getOut().println(Json.pretty(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Switches {@code --render-text} on when {@code --model} is a CLIPPO preset. */
    void renderForModel() {
        if (imageSize == null) {
            render.renderFor(
                    ModelConfig.preset(
                            model.trim().toLowerCase(Locale.ROOT),
                            TrainerConfig.defaults().model().vocabSize()));
        }
    }

    /**
     * The examples' image side: {@code --image-size}, else the image size of the {@code --model}
     * preset.
     *
     * @throws CommandLine.ParameterException naming the option when it is invalid
     */
    int exampleImageSize() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (imageSize != null && parsed != null && parsed.hasMatchedOption("--model")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--model and --image-size both set the examples' image size: give one");
        }
        try {
            int size =
                    imageSize != null
                            ? imageSize
                            : ModelConfig.preset(
                                            model.trim().toLowerCase(Locale.ROOT),
                                            TrainerConfig.defaults().model().vocabSize())
                                    .imageSize();
            // The tokenize job's own check, here, so that the command fails before it submits.
            TokenizeConfig.Builder config = TokenizeConfig.builder().imageSize(size);
            if (render.renderText) {
                // The font is read where the job's main runs; its size check is here.
                config.render(TextRenderConfig.defaults("font checked by the job"));
            }
            return config.build().imageSize();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    (imageSize != null ? "--image-size: " : "--model: ") + e.getMessage());
        }
    }

    /**
     * The file sink options of {@code job} ({@code filter}: curated pairs, {@code tokenize}:
     * examples), checked here.
     *
     * @throws CommandLine.ParameterException when a value is invalid
     */
    List<String> fileSinkArguments(String job) {
        return job.equals("filter")
                ? FileSinkArguments.of(
                        shardSize.fileSinks(curatedWebDataset, curatedAvro),
                        FilterJob.CURATED_WEBDATASET_OPTION,
                        FilterJob.CURATED_AVRO_OPTION)
                : FileSinkArguments.of(
                        shardSize.fileSinks(examplesWebDataset, examplesAvro),
                        TokenizeJob.EXAMPLES_WEBDATASET_OPTION,
                        TokenizeJob.EXAMPLES_AVRO_OPTION);
    }

    /** The filter's cross-modal settings: the defaults, --live-model and the --crossmodal-*. */
    CrossModalConfig crossModalConfig() {
        return crossModal.applyTo(CrossModalConfig.defaults(), liveModel);
    }

    /** The --restart-backoff-* options given, as the jobs' arguments. */
    List<String> backoffArguments() {
        List<String> args = new ArrayList<>();
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("--restart-backoff-initial-ms", backoffInitialMs);
        given.put("--restart-backoff-max-ms", backoffMaxMs);
        given.put("--restart-backoff-multiplier", backoffMultiplier);
        given.put("--restart-backoff-reset-ms", backoffResetMs);
        given.put("--restart-backoff-jitter", backoffJitter);
        given.forEach(
                (name, value) -> {
                    if (value != null) {
                        args.addAll(List.of(name, value.toString()));
                    }
                });
        return args;
    }

    /**
     * Which savepoint or retained checkpoint each job starts from ({@code --from-savepoint}, {@code
     * --from-checkpoint}: {@code JOB=PATH}, or a bare path when one job is started).
     */
    Map<String, String> restorePaths() {
        Map<String, String> paths = new LinkedHashMap<>();
        for (String option : List.of("--from-savepoint", "--from-checkpoint")) {
            List<String> values =
                    option.equals("--from-savepoint") ? fromSavepoint : fromCheckpoint;
            for (String value : values) {
                int eq = value.indexOf('=');
                String job;
                String path;
                if (eq > 0 && JOBS.containsKey(value.substring(0, eq))) {
                    job = value.substring(0, eq);
                    path = value.substring(eq + 1);
                } else if (jobs.size() == 1) {
                    job = jobs.get(0);
                    path = value;
                } else {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            option
                                    + " "
                                    + value
                                    + ": say which job (JOB=PATH, JOB one of "
                                    + JOBS.keySet()
                                    + ") or start one job (--jobs NAME)");
                }
                if (!jobs.contains(job)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            option + " names job " + job + ", which --jobs does not start");
                }
                if (path.isBlank()) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), option + " " + value + ": no path");
                }
                if (paths.put(job, path) != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "job "
                                    + job
                                    + " has more than one savepoint or checkpoint to start from");
                }
            }
        }
        return paths;
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
        if (retainedCheckpoints != null) {
            args.addAll(List.of("--retained-checkpoints", Integer.toString(retainedCheckpoints)));
        }
        if (restartAttempts != null) {
            args.addAll(List.of("--restart-attempts", Integer.toString(restartAttempts)));
        }
        if (restartDelayMs != null) {
            args.addAll(List.of("--restart-delay-ms", Long.toString(restartDelayMs)));
        }
        // Without restart options the job's own default applies: exponential-delay, no cap.
        args.addAll(backoffArguments());
        if (!kafka.topicPrefix.isEmpty()) {
            args.addAll(List.of("--topic-prefix", kafka.topicPrefix));
        }
        if (job.equals("tokenize")) {
            if (tokenizer != null) {
                args.addAll(List.of("--tokenizer", tokenizer));
            }
            // Always explicit: the job's own default need not be the trainer's default preset's.
            args.addAll(
                    List.of(
                            "--" + TokenizeJob.IMAGE_SIZE_OPTION,
                            Integer.toString(exampleImageSize())));
            renderForModel();
            args.addAll(render.tokenizeJobArguments());
        }
        args.addAll(fileSinkArguments(job));
        if (job.equals("filter")) {
            args.addAll(filter.filterJobArguments());
        }
        if (liveModel && job.equals("filter")) {
            args.addAll(CrossModalArguments.of(crossModalConfig()));
        }
        // Security settings (SASL/SSL) must reach the jobs' clients too, not only this command's.
        kafka.properties.forEach(
                (key, value) ->
                        args.addAll(List.of(Secrets.KAFKA_PROPERTY_OPTION, key + "=" + value)));
        return args;
    }
}
