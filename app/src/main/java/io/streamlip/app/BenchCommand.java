package io.streamlip.app;

import io.streamlip.bench.BenchOptions;
import io.streamlip.bench.BenchResult;
import io.streamlip.bench.Benchmark;
import io.streamlip.bench.Benchmarks;
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
                    "Repetitions (seeds) of each measurement where the benchmark has a choice"
                            + " (families) (0: its default).")
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
            options =
                    new BenchOptions(
                            quick,
                            threads,
                            limit,
                            checkpoint,
                            budget,
                            runs,
                            variants == null ? java.util.List.of() : variants);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchResult result = benchmark.run(options);
        out.println(json ? result.toJson() : result.toTable());
        out.flush();
        return 0;
    }
}
