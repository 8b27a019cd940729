package io.streamlip.app;

import io.streamlip.bench.BenchOptions;
import io.streamlip.bench.BenchResult;
import io.streamlip.bench.Benchmark;
import io.streamlip.bench.Benchmarks;
import io.streamlip.bench.LiveLoopSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code streamlip bench NAME [--json]}: runs one benchmark and prints a table or JSON. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Run a benchmark and print a table (or, with --json, one JSON object).",
            "Without NAME, lists the benchmarks."
        },
        subcommands = LearningParityCommand.class)
final class BenchCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Benchmark to run.")
    String name;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--quick", description = "A short smoke run; its figures are not for reports.")
    boolean quick;

    @Option(
            names = "--threads",
            paramLabel = "T",
            defaultValue = "0",
            description = "Compute threads where the benchmark has a choice (0: its default).")
    int threads;

    @Option(
            names = {"--limit", "--pairs"},
            paramLabel = "N",
            defaultValue = "0",
            description = "Most input records where the benchmark has a choice (0: its default).")
    long limit;

    @Option(
            names = "--checkpoint",
            paramLabel = "DIR",
            description =
                    "A trainer checkpoint, or a folder of them (the newest), for the benchmarks"
                            + " that score with a model (curation: the recall of unrelated"
                            + " captions at 1/5/10%% of clean pairs refused).")
    java.nio.file.Path checkpoint;

    @Option(
            names = "--budget",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description =
                    "CPU seconds of training per run where the benchmark trains for a budget"
                            + " (families: the process's CPU time, so that runs on a loaded"
                            + " machine get the same computation) (0: its default).")
    double budget;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Repetitions of each measurement where the benchmark has a choice (families:"
                            + " seeds, default 3; live-loop: runs per arm, interleaved, default 3)"
                            + " (0: its default).")
    int runs;

    @Option(
            names = "--variants",
            paramLabel = "LIST",
            split = ",",
            description =
                    "Which of the benchmark's variants to run, a comma list (families: small,"
                            + " clippo-small, limoe-small, limoe-small-dense, captioner-small,"
                            + " captioner-small-contrastive) (default: all).")
    java.util.List<String> variants;

    @Option(
            names = "--minutes",
            paramLabel = "M",
            description = "live-loop: each demo's training minutes (default: ${DEFAULT-VALUE}).")
    double minutes = LiveLoopSettings.defaults().minutes();

    @Option(
            names = "--noise",
            paramLabel = "SPEC",
            description = "live-loop: the demos' --noise (default: ${DEFAULT-VALUE}).")
    String noise = LiveLoopSettings.defaults().noise();

    @Option(
            names = "--equal-steps",
            description =
                    "live-loop: a third arm, loop off stopped at the steps of the round's loop-on"
                            + " run.")
    boolean equalSteps;

    @Option(
            names = "--demo-arg",
            paramLabel = "ARG",
            description =
                    "live-loop: one more argument for every demo run, e.g."
                            + " --demo-arg=--max-pairs=20000 (repeatable; an option bench also"
                            + " has takes a leading blank: --demo-arg=' --threads=2').")
    java.util.List<String> demoArgs = new java.util.ArrayList<>();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "live-loop: folder for the runs and live-loop.json/.md (default:"
                            + " ${DEFAULT-VALUE}).")
    java.nio.file.Path liveLoopOut = LiveLoopSettings.defaults().out();

    @Option(
            names = "--streamlip",
            paramLabel = "PATH",
            description =
                    "live-loop: the launcher the demos run through (default: the one running"
                            + " this command).")
    java.nio.file.Path streamlip;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final Benchmarks benchmarks;

    BenchCommand() {
        this(Benchmarks.standard());
    }

    BenchCommand(Benchmarks benchmarks) {
        this.benchmarks = benchmarks;
    }

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (name == null) {
            out.println("Benchmarks (streamlip bench NAME [--json]):");
            for (Benchmark b : benchmarks.all()) {
                out.printf("  %-20s %s%n", b.name(), b.description());
            }
            return 0;
        }
        Benchmark benchmark =
                benchmarks
                        .find(name)
                        .orElseThrow(
                                () ->
                                        new CommandLine.ParameterException(
                                                spec.commandLine(),
                                                "unknown benchmark '"
                                                        + name
                                                        + "'; known: "
                                                        + benchmarks.all().stream()
                                                                .map(Benchmark::name)
                                                                .toList()));
        BenchOptions options;
        try {
            LiveLoopSettings liveLoop =
                    new LiveLoopSettings(
                            runs == 0 ? LiveLoopSettings.defaults().runs() : runs,
                            minutes,
                            noise,
                            equalSteps,
                            demoArgs,
                            liveLoopOut,
                            streamlip);
            options =
                    new BenchOptions(
                            quick,
                            threads,
                            limit,
                            checkpoint,
                            budget,
                            runs,
                            variants == null ? java.util.List.of() : variants,
                            liveLoop);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchResult result = benchmark.run(options);
        out.println(json ? result.toJson() : result.toTable());
        out.flush();
        return 0;
    }
}
