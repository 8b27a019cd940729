package io.streamlip.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.filter.blocklist.BlocklistStage;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.noise.NoiseConfig;
import io.streamlip.ingest.pairs.PairsFolder;
import io.streamlip.sinks.FileSinkConfig;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.model.ModelFamily;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamlip demo}: the whole pipeline on this machine, then a report. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the whole pipeline on this machine: an in-process Kafka broker, the curation and"
                    + " tokenize jobs on a Flink MiniCluster, the DJL trainer on CPU (or GPU).",
            "Imports the emoji x CLDR corpus (fetched with npm into --data on first use; the"
                    + " synthetic source without npm), trains for --minutes, evaluates the last"
                    + " checkpoint on the held-out twitter emoji style and writes"
                    + " OUT/summary.json.",
            "--source DIR imports your own pairs folder instead, evaluated on --eval-set or on"
                    + " the --holdout share of its images.",
            "Pairs arrive as a live stream paced by the trainer (--import-rate auto): as fast as"
                    + " it trains, a few batches ahead; summary.json's \"import_pace\" says how,"
                    + " and \"freshness\".\"after_warmup\" is the freshness once that pace"
                    + " holds. Training pairs near-identical to a held-out evaluation image are"
                    + " refused (eval_contamination; --no-decontaminate: off).",
            "The live-model loop is on: the filter job scores every pair with the newest"
                    + " checkpoint the trainer announced (every 50 steps or 20 s) and refuses the"
                    + " worst-matching tenth of each language; summary.json's \"scorer\" counts"
                    + " model updates, scored, unscored and refused pairs (--no-live-model: off).",
            "The Flink jobs are watched: when one fails or restarts, the run stops at once,"
                    + " OUT/summary.json says so (\"status\": \"failed\", \"failure\", each job's"
                    + " state and restarts) and the exit code is 1 with the reason on stderr.",
            ""
        })
final class DemoCommand implements Callable<Integer> {
    /** The options' defaults are DemoConfig's, so that --help and the config cannot disagree. */
    private static final DemoConfig DEFAULTS = DemoConfig.defaults();

    @Option(
            names = "--minutes",
            paramLabel = "M",
            description =
                    "Training time in minutes, counted from the trainer's first batch (default:"
                            + " ${DEFAULT-VALUE}).")
    double minutes = DEFAULTS.training().toMillis() / 60_000.0;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            description =
                    "Also stop training after N steps, if that comes before --minutes (default:"
                            + " ${DEFAULT-VALUE}: no step limit).")
    long maxSteps = DEFAULTS.maxSteps();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Folder for summary.json, checkpoints, held-out set (default: ${DEFAULT-VALUE}).")
    Path out = DEFAULTS.out();

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Folder of the emoji x CLDR tarballs (default: ${DEFAULT-VALUE}).")
    Path data = DEFAULTS.dataDir();

    @Option(
            names = "--source",
            paramLabel = "SOURCE",
            description =
                    "auto, emoji, synthetic, or the path of a pairs folder (images plus a"
                            + " pairs.jsonl, one {\"image\", \"text\", \"lang\"} object per line;"
                            + " 'class' optional). A folder's malformed lines and unreadable images"
                            + " are refused, counted under import.rejected, and the import goes on"
                            + " (default: ${DEFAULT-VALUE}).")
    String source = DEFAULTS.source().name().toLowerCase(Locale.ROOT);

    @Option(
            names = "--eval-set",
            paramLabel = "DIR",
            description =
                    "With a pairs folder as --source: a pairs folder with a 'class' on every line"
                            + " to evaluate on, instead of images held out of the source.")
    Path evalSet;

    @Option(
            names = "--holdout",
            paramLabel = "FRACTION",
            description =
                    "With a pairs folder as --source and no --eval-set: the share of the folder's"
                            + " images (chosen by the hash of their bytes, at most --eval-classes)"
                            + " held out of the import as the evaluation set; their lines' class,"
                            + " or each image its own class. 0: no evaluation (default:"
                            + " ${DEFAULT-VALUE}).")
    double holdout = DEFAULTS.holdout();

    @Option(
            names = "--languages",
            split = ",",
            paramLabel = "LANG",
            description =
                    "Languages to train and evaluate on (default: 16 languages in 8 scripts).")
    List<String> languages;

    @Option(
            names = "--eval-classes",
            paramLabel = "N",
            description =
                    "Emoji classes in the held-out set (a pairs folder: most images held out),"
                            + " 0 for all (default: ${DEFAULT-VALUE}).")
    int evalClasses = DEFAULTS.evalClasses();

    @Option(
            names = "--max-pairs",
            paramLabel = "N",
            description = "Import at most N pairs, 0 for all (default: ${DEFAULT-VALUE}).")
    long maxPairs = DEFAULTS.maxPairs();

    @Option(
            names = "--import-rate",
            paramLabel = "auto|PAIRS_PER_S",
            description =
                    "How fast pairs arrive. auto: as fast as the trainer takes examples, keeping"
                            + " a few batches waiting for it (paced by its consumer lag on"
                            + " examples and its examples/s, so the demo is a live stream on any"
                            + " machine); a number: at most that many pairs a second; 0: as fast"
                            + " as possible (the trainer then works off a backlog) (default:"
                            + " ${DEFAULT-VALUE}).")
    String importRate = DEFAULTS.importRate().toString();

    @Option(
            names = "--noise",
            paramLabel = "KIND=RATE[,KIND=RATE...]",
            description =
                    "Inject web noise into the imported stream with the noise simulator, e.g."
                            + " unrelated_caption=0.1 (after each imported pair, one pair with the"
                            + " caption of another image with chance 0.1); 'defaults' for every"
                            + " kind at its default rate; summary.json counts what was injected"
                            + " (default: ${DEFAULT-VALUE}).")
    String noise = "none";

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            description = "Flink parallelism of the jobs (default: ${DEFAULT-VALUE}).")
    int parallelism = DEFAULTS.parallelism();

    @Mixin FilterOptions filter;

    @Mixin TrainerOptions trainer;

    @Option(
            names = "--threads-while-curating",
            paramLabel = "T",
            description =
                    "The trainer's intra-op threads while the jobs curate; once the import has"
                            + " ended and the jobs are idle it gets --threads. 0: --threads"
                            + " throughout (default: ${DEFAULT-VALUE}).")
    int threadsWhileCurating = DEFAULTS.threadsWhileCurating();

    @Option(
            names = "--idle-thread-policy",
            paramLabel = "auto|background|off",
            description =
                    "Once curation is idle and the trainer has --threads: background puts the"
                            + " JVM's other Java threads (Flink, the broker, Kafka clients) in"
                            + " Linux's SCHED_IDLE class, so that their wakeups stop preempting the"
                            + " step, and back when pairs arrive again (where permitted: without"
                            + " CAP_SYS_NICE or RLIMIT_NICE they stay there, on the cores the"
                            + " trainer leaves); off leaves them; auto is background where the"
                            + " threads can come back, off elsewhere (default: ${DEFAULT-VALUE}).")
    String idleThreadPolicy = DEFAULTS.idleThreadPolicy().label();

    @Option(
            names = "--checkpoint-interval-ms",
            paramLabel = "MS",
            description =
                    "The Flink job's checkpoint interval while it curates. Its exactly-once"
                            + " sinks commit at each checkpoint, so a new example waits for the"
                            + " next one before the trainer can read it: shorter is fresher and"
                            + " costs more checkpoints. Once curation is idle the job checkpoints"
                            + " every 30 s, as there is nothing to commit (default:"
                            + " ${DEFAULT-VALUE}).")
    long checkpointIntervalMs = DEFAULTS.jobCheckpointInterval().toMillis();

    @Option(
            names = "--live-model",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "The live-model loop: the filter job scores each pair with the newest checkpoint"
                            + " the trainer announced on model-updates and refuses the low scorers"
                            + " (low_crossmodal_score); before the first model pairs pass unscored."
                            + " --no-live-model turns it off (default: on).")
    boolean liveModel;

    @Mixin CrossModalOptions crossModal;

    @Option(
            names = "--decontaminate",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Refuse training pairs whose image is a near copy of an image of the held-out"
                            + " evaluation set (eval_contamination; perceptual hash confirmed by"
                            + " thumbnail), so the evaluation measures unseen images;"
                            + " --no-decontaminate turns it off (default: on).")
    boolean decontaminate;

    @Option(
            names = "--tokenizer",
            paramLabel = "bytes|bpe[:VOCAB]|FILE",
            description =
                    "The tokenizer of the tokenize job and the trainer: bytes; bpe[:VOCAB] trains"
                            + " a byte-level BPE vocabulary of VOCAB tokens (default 8192) from"
                            + " the imported captions, language-balanced, before the jobs start"
                            + " (OUT/tokenizer.json); or a tokenizer.json from 'streamlip"
                            + " tokenizer train' (default: ${DEFAULT-VALUE}).")
    String tokenizer = DEFAULTS.tokenizer();

    @Mixin RenderOptions render;

    @Option(
            names = "--webdataset",
            description =
                    "Also write the curated pairs and the examples as WebDataset tar shards,"
                            + " OUT/shards/webdataset/curated-NNNNNN.tar and examples-NNNNNN.tar;"
                            + " summary.json's \"file_sinks\" counts them. Each writer's last,"
                            + " unfilled shard stays a hidden .inprogress file when the demo"
                            + " stops. Off by default.")
    boolean webDataset;

    @Option(
            names = "--avro",
            description =
                    "Also write them as Avro container files, OUT/shards/avro/curated-NNNNNN.avro"
                            + " and examples-NNNNNN.avro (as --webdataset). Off by default.")
    boolean avro;

    @Mixin ShardSizeOptions shardSize;

    @Option(names = "--json", description = "Print the summary as one JSON object, not a table.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DemoConfig config = demoConfig();
        ObjectNode summary = new Demo(config).run();
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(Json.pretty(summary));
        } else {
            stdout.print(table(summary, config.out().resolve(Demo.SUMMARY)));
        }
        stdout.flush();
        if ("failed".equals(summary.path("status").asText())) {
            PrintWriter stderr = spec.commandLine().getErr();
            stderr.println("streamlip: demo failed: " + summary.path("failure").asText());
            stderr.flush();
            return 1;
        }
        return 0;
    }

    private IdleThreadPolicy idleThreadPolicy() {
        try {
            return IdleThreadPolicy.parse(idleThreadPolicy);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--idle-thread-policy " + e.getMessage());
        }
    }

    /** The demo's configuration from the command line. */
    DemoConfig demoConfig() {
        if (threadsWhileCurating < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--threads-while-curating must be 0 (--threads throughout) or positive, got "
                            + threadsWhileCurating);
        }
        if (checkpointIntervalMs < 100) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--checkpoint-interval-ms must be at least 100, got " + checkpointIntervalMs);
        }
        DemoConfig.Builder config =
                DemoConfig.builder()
                        .training(Duration.ofMillis(Math.round(minutes * 60_000)))
                        .maxSteps(maxSteps)
                        .out(out)
                        .dataDir(data)
                        .holdout(holdout)
                        .evalClasses(evalClasses)
                        .maxPairs(maxPairs)
                        .importRate(importRate())
                        .parallelism(parallelism)
                        .decontaminate(decontaminate)
                        .threadsWhileCurating(threadsWhileCurating)
                        .idleThreadPolicy(idleThreadPolicy())
                        .jobCheckpointInterval(Duration.ofMillis(checkpointIntervalMs))
                        .tokenizer(tokenizerSpec())
                        .filter(filterConfig());
        TrainerConfig trainerConfig = trainer.applyTo(DEFAULTS.trainer());
        // CLIPPO reads rendered captions: its --model switches rendering on, and its trainer
        // renders the held-out texts with the same font and settings.
        render.renderFor(trainerConfig.model());
        TextRenderConfig rendering = render.renderConfig(data);
        if (trainerConfig.model().family() == ModelFamily.CLIPPO) {
            trainerConfig = trainerConfig.toBuilder().render(rendering).build();
        }
        config.trainer(trainerConfig).render(rendering);
        Path shards = out.toAbsolutePath().resolve(Demo.SHARDS);
        String webDatasetFolder = webDataset ? shards.resolve("webdataset").toString() : null;
        String avroFolder = avro ? shards.resolve("avro").toString() : null;
        FileSinkConfig sinks = shardSize.fileSinks(webDatasetFolder, avroFolder);
        config.curatedSinks(sinks).exampleSinks(sinks);
        parseSource(config);
        if (languages != null) {
            config.languages(languages);
        }
        try {
            config.noise(NoiseConfig.parse(noise));
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The filter's settings with the threshold, blocklist and live-model options; the blocklist
     * files are read here, so that a bad line fails before anything starts.
     */
    private FilterConfig filterConfig() {
        FilterConfig thresholds = filter.applyTo(DEFAULTS.filter());
        try {
            BlocklistStage.fileEntries(thresholds.blocklist());
            return thresholds.toBuilder()
                    .crossModal(crossModal.applyTo(thresholds.crossModal(), liveModel))
                    .build();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private ImportRate importRate() {
        try {
            return ImportRate.parse(importRate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--import-rate: " + e.getMessage());
        }
    }

    /** {@code --tokenizer}, checked here so that a typo fails before anything starts. */
    private String tokenizerSpec() {
        try {
            DemoTokenizer.check(tokenizer);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--tokenizer: " + e.getMessage());
        }
        return tokenizer;
    }

    /** {@code --source}: a word, or a pairs folder (then {@code --eval-set} may come with it). */
    private void parseSource(DemoConfig.Builder config) {
        String word = source.toUpperCase(Locale.ROOT);
        for (DemoConfig.Source s : DemoConfig.Source.values()) {
            if (s != DemoConfig.Source.FOLDER && s.name().equals(word)) {
                config.source(s);
                if (evalSet != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--eval-set goes with a pairs folder as --source; "
                                    + source
                                    + " has its own held-out set");
                }
                return;
            }
        }
        Path folder = Path.of(source);
        if (!Files.isRegularFile(folder.resolve(PairsFolder.INDEX))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--source must be auto, emoji or synthetic, or a folder with a "
                            + PairsFolder.INDEX
                            + ", not '"
                            + source
                            + "'");
        }
        if (evalSet != null) {
            try {
                DemoFolder.checkEvalSet(evalSet);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--eval-set: " + e.getMessage());
            }
        }
        config.source(DemoConfig.Source.FOLDER).sourceFolder(folder).evalSet(evalSet);
    }

    /** The short human report printed at the end. */
    static String table(JsonNode s, Path written) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%nstreamlip demo (%s)%n", s.path("source").asText()));
        if (s.has("status")) {
            row(
                    t,
                    "status",
                    s.path("status").asText()
                            + (s.hasNonNull("failure") ? ": " + s.path("failure").asText() : ""));
        }
        for (JsonNode job : s.path("jobs")) {
            row(
                    t,
                    "flink job",
                    String.format(
                            Locale.ROOT,
                            "%s: %s, %d restarts",
                            job.path("name").asText(),
                            job.path("state").asText(),
                            job.path("restarts").asLong()));
        }
        row(t, "tokenizer", tokenizerRow(s.path("tokenizer")));
        JsonNode refused = s.path("import").path("rejected");
        if (refused.path("total").asLong() > 0) {
            row(
                    t,
                    "refused lines",
                    refused.path("total").asText() + "  " + refused.path("per_reason"));
        }
        if (s.has("eval_set") && s.path("eval_set").isNull()) {
            row(t, "evaluation", "none: " + s.path("source_note").asText());
        }
        row(t, "raw pairs", s.path("raw").asText());
        row(t, "curated", s.path("curated").asText());
        row(t, "rejected", s.path("rejected_total").asText() + "  " + s.path("rejected"));
        row(t, "examples", s.path("examples").asText());
        row(t, "trained examples", s.path("trained_examples").asText());
        row(t, "steps", s.path("steps").asText());
        row(
                t,
                "loss",
                String.format(
                        Locale.ROOT,
                        "%.3f -> %.3f",
                        s.path("loss_first").asDouble(),
                        s.path("loss_last").asDouble()));
        row(
                t,
                "examples/s",
                String.format(Locale.ROOT, "%.0f", s.path("examples_per_second").asDouble()));
        JsonNode idle = s.path("trainer_when_curation_idle");
        row(
                t,
                "examples/s, idle jobs",
                idle.isObject()
                        ? String.format(
                                Locale.ROOT,
                                "%.0f (the %.0f s after curation went idle; compare 'streamlip"
                                        + " bench trainer')",
                                idle.path("examples_per_second").asDouble(),
                                idle.path("seconds").asDouble())
                        : "curation was not idle for the last "
                                + Demo.MIN_IDLE_TRAINING.toSeconds()
                                + " s of training");
        row(
                t,
                "freshness",
                String.format(
                        Locale.ROOT,
                        "p50 %.1f s, p95 %.1f s (Kafka timestamp -> trained, latest %d examples)",
                        s.path("freshness_p50_ms").asDouble(Double.NaN) / 1000,
                        s.path("freshness_p95_ms").asDouble(Double.NaN) / 1000,
                        s.path("freshness").path("steady").path("examples").asLong()));
        JsonNode steady = s.path("freshness").path("after_warmup");
        row(
                t,
                "steady freshness",
                String.format(
                        Locale.ROOT,
                        "p50 %.1f s, p95 %.1f s (%d examples after a %.0f s warm-up, import"
                                + " running)",
                        steady.path("p50_ms").asDouble(Double.NaN) / 1000,
                        steady.path("p95_ms").asDouble(Double.NaN) / 1000,
                        steady.path("examples").asLong(),
                        steady.path("warmup_s").asDouble()));
        row(t, "import pace", paceRow(s.path("import_pace")));
        row(t, "checkpoint", s.path("checkpoint").asText());
        row(t, "live model", scorerRow(s.path("scorer")));
        JsonNode decontamination = s.path("decontamination");
        row(
                t,
                "decontamination",
                decontamination.path("enabled").asBoolean()
                        ? decontamination.path("refused").asLong()
                                + " pairs refused as near copies of held-out images"
                        : "off");
        if (!s.has("eval")) {
            t.append(String.format(Locale.ROOT, "%nsummary: %s%n", written));
            return t.toString();
        }
        JsonNode mean = s.path("eval").path("mean");
        t.append(
                String.format(
                        Locale.ROOT, "%nheld-out evaluation (%s)%n", s.path("eval_set").asText()));
        t.append(
                String.format(
                        Locale.ROOT,
                        "  %-8s %6s %7s %7s %7s %7s %9s%n",
                        "lang",
                        "n",
                        "i2t@1",
                        "i2t@5",
                        "t2i@1",
                        "t2i@5",
                        "zeroshot"));
        for (Map.Entry<String, JsonNode> e : s.path("eval").path("languages").properties()) {
            evalRow(t, e.getKey(), e.getValue());
        }
        evalRow(t, "mean", mean);
        t.append(
                String.format(
                        Locale.ROOT,
                        "  %-15s %7.3f  (recall@1 of a random ranking)%n",
                        "chance",
                        mean.path("chance_r1").asDouble()));
        captionRows(t, s.path("eval").path("captions"));
        t.append(String.format(Locale.ROOT, "%nsummary: %s%n", written));
        return t.toString();
    }

    private static String scorerRow(JsonNode scorer) {
        if (!scorer.path("enabled").asBoolean()) {
            return "off";
        }
        return String.format(
                Locale.ROOT,
                "%d model updates, %d scored, %d unscored, %d refused; first model %.0f s and"
                        + " first scored %.0f s into training",
                scorer.path("model_updates_seen").asLong(),
                scorer.path("scored").asLong(),
                scorer.path("unscored").asLong(),
                scorer.path("refused").asLong(),
                scorer.path("first_model_update_after_training_s").asDouble(Double.NaN),
                scorer.path("first_scored_after_training_s").asDouble(Double.NaN));
    }

    private static String paceRow(JsonNode pace) {
        String mean =
                String.format(
                        Locale.ROOT,
                        "%.0f pairs/s sent",
                        pace.path("pairs_per_second").asDouble(Double.NaN));
        return switch (pace.path("mode").asText()) {
            case "adaptive" ->
                    String.format(
                            Locale.ROOT,
                            "auto: %s; trainer %.0f examples/s, lead %.0f examples, under a batch"
                                    + " waiting %.0f%% of the time",
                            mean,
                            pace.path("trainer_examples_per_second").asDouble(Double.NaN),
                            pace.path("lead_examples").asDouble(Double.NaN),
                            100 * pace.path("trainer_starved_share").asDouble(Double.NaN));
            case "fixed" ->
                    String.format(
                            Locale.ROOT,
                            "at most %s pairs/s: %s",
                            pace.path("setting").asText(),
                            mean);
            default -> "unthrottled: " + mean;
        };
    }

    private static String tokenizerRow(JsonNode tokenizer) {
        JsonNode all = tokenizer.path("tokens_per_caption").path("all");
        if (all.isMissingNode()) {
            return tokenizer.path("version").asText();
        }
        return String.format(
                Locale.ROOT,
                "%s, %.1f tokens per caption (bytes: %.1f)",
                tokenizer.path("version").asText(),
                all.path("tokens").asDouble(),
                all.path("bytes").asDouble());
    }

    private static void row(StringBuilder t, String name, String value) {
        t.append(String.format(Locale.ROOT, "  %-18s %s%n", name, value));
    }

    /** A captioner's held-out captions (eval.captions), when the model is one. */
    private static void captionRows(StringBuilder t, JsonNode captions) {
        if (captions.isMissingNode()) {
            return;
        }
        t.append(String.format(Locale.ROOT, "%ncaptions written (greedy)%n"));
        t.append(
                String.format(
                        Locale.ROOT,
                        "  %-8s %6s %7s %7s  %s%n",
                        "lang",
                        "n",
                        "exact",
                        "BLEU-4",
                        "e.g."));
        for (Map.Entry<String, JsonNode> e : captions.path("languages").properties()) {
            JsonNode m = e.getValue();
            t.append(
                    String.format(
                            Locale.ROOT,
                            "  %-8s %6d %7.3f %7.3f  %s%n",
                            e.getKey(),
                            m.path("n").asLong(),
                            m.path("exact_match").asDouble(),
                            m.path("bleu4").asDouble(),
                            m.path("example").asText()));
        }
        JsonNode mean = captions.path("mean");
        t.append(
                String.format(
                        Locale.ROOT,
                        "  %-8s %6d %7.3f %7.3f%n",
                        "mean",
                        mean.path("n").asLong(),
                        mean.path("exact_match").asDouble(),
                        mean.path("bleu4").asDouble()));
    }

    private static void evalRow(StringBuilder t, String lang, JsonNode m) {
        t.append(
                String.format(
                        Locale.ROOT,
                        "  %-8s %6d %7.3f %7.3f %7.3f %7.3f %9.3f%n",
                        lang,
                        m.path("n").asLong(),
                        m.path("i2t_r1").asDouble(),
                        m.path("i2t_r5").asDouble(),
                        m.path("t2i_r1").asDouble(),
                        m.path("t2i_r5").asDouble(),
                        m.path("zeroshot_acc").asDouble()));
    }
}
