package io.streamlip.app;

import io.streamlip.bench.BenchResult;
import io.streamlip.bench.LearningParityBenchmark;
import io.streamlip.bench.LearningParityBenchmark.Control;
import io.streamlip.bench.LearningParityBenchmark.Settings;
import io.streamlip.bench.LearningParityBenchmark.Stream;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamlip bench learning-parity}: the DJL trainer against its PyTorch twin from the same
 * weights on the same batches ({@link LearningParityBenchmark}).
 */
@Command(
        name = "learning-parity",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the DJL model and its PyTorch twin (/usr/bin/python3 with python3-torch,"
                    + " installed with apt-get if missing) from the same weights on the same"
                    + " batches with the same AdamW, schedule, clipping and sigmoid loss.",
            "Prints the loss of both at chosen steps and their difference, the first step's"
                    + " gradient differences by tensor group, the weights' drift, and float32's own"
                    + " noise: the twin on row-permuted batches and the twin in float64. On the"
                    + " emoji stream also the held-out recall of both."
        })
final class LearningParityCommand implements Callable<Integer> {
    private static final Settings DEFAULTS = Settings.defaults();

    @Option(
            names = "--model",
            paramLabel = "PRESET",
            defaultValue = "small",
            description = "Two-tower model preset (default: ${DEFAULT-VALUE}, the demo's).")
    String model;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "300",
            description = "Training steps of each side (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--batch",
            paramLabel = "B",
            defaultValue = "128",
            description = "Examples per step (default: ${DEFAULT-VALUE}, the trainer's).")
    int batch;

    @Option(
            names = "--threads",
            paramLabel = "T",
            defaultValue = "2",
            description = "Intra-op threads of each side (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "42",
            description = "Seed of the DJL model's initialisation (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(
            names = "--stream",
            paramLabel = "synthetic|emoji",
            defaultValue = "synthetic",
            description =
                    "What both train on: synthetic pairs, or the demo's emoji corpus curated and"
                            + " tokenized as the demo does (needs data/; adds the held-out recall)"
                            + " (default: ${DEFAULT-VALUE}).")
    String stream;

    @Option(
            names = "--controls",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "permuted,float64",
            description =
                    "Float32 noise controls run beside the twin: permuted, float64, or none"
                            + " (default: ${DEFAULT-VALUE}).")
    List<String> controls;

    @Option(
            names = "--warmup-steps",
            paramLabel = "N",
            defaultValue = "100",
            description = "Linear warm-up steps (default: ${DEFAULT-VALUE}, the trainer's).")
    int warmupSteps;

    @Option(
            names = "--schedule-steps",
            paramLabel = "N",
            defaultValue = "5000",
            description = "Where the cosine decay ends (default: ${DEFAULT-VALUE}, the trainer's).")
    int scheduleSteps;

    @Option(
            names = "--eval-classes",
            paramLabel = "N",
            defaultValue = "500",
            description = "Emoji classes of the held-out set (default: ${DEFAULT-VALUE}).")
    int evalClasses;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            defaultValue = "data",
            description = "The emoji corpus's folder (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Write curves.csv, curves.jsonl, gradients.csv, weights.csv and curves.svg"
                            + " here.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Set<Control> chosen = EnumSet.noneOf(Control.class);
        for (String c : controls) {
            switch (c.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "permuted" -> chosen.add(Control.PERMUTED);
                case "float64" -> chosen.add(Control.FLOAT64);
                case "none", "" -> {}
                default ->
                        throw new CommandLine.ParameterException(
                                spec.commandLine(),
                                "--controls takes permuted, float64 or none, got " + c);
            }
        }
        Stream which =
                switch (stream.toLowerCase(java.util.Locale.ROOT)) {
                    case "synthetic" -> Stream.SYNTHETIC;
                    case "emoji" -> Stream.EMOJI;
                    default ->
                            throw new CommandLine.ParameterException(
                                    spec.commandLine(),
                                    "--stream takes synthetic or emoji, got " + stream);
                };
        OptimizerConfig optimizer =
                DEFAULTS.optimizer().toBuilder()
                        .warmupSteps(warmupSteps)
                        .scheduleSteps(scheduleSteps)
                        .build();
        Settings settings =
                new Settings(
                        model,
                        steps,
                        batch,
                        threads,
                        seed,
                        which,
                        optimizer,
                        chosen,
                        out,
                        evalClasses,
                        data);
        BenchResult result = new LearningParityBenchmark().run(settings);
        var printer = spec.commandLine().getOut();
        printer.println(json ? result.toJson() : result.toTable());
        printer.flush();
        return 0;
    }
}
