package io.streamlip.bench;

import io.streamlip.ingest.emoji.EmojiData;
import io.streamlip.trainer.TrainerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.commons.io.file.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench families}: each {@link FamilyVariant} trained on the demo's emoji stream
 * for the same budget of its process's CPU time ({@link CpuBudget}), one process per run ({@link
 * FamilyTrainingRun}) reading data prepared beforehand by processes of their own, then evaluated on
 * the demo's held-out set: retrieval per language, and the captioners' exact match and BLEU-4. The
 * options are {@code streamlip bench --help}'s; the corpus comes from {@code -Dstreamlip.data},
 * CLIPPO's font from {@code STREAMLIP_FONT}. Why CPU time and separate processes:
 * bench/results/families-2026-12-06.md.
 */
public final class FamiliesBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(FamiliesBenchmark.class);

    /**
     * CPU seconds of training per run by default: short, because on the shared 2-core machine a
     * run's fixed cost (a JVM, reading the prepared stream, evaluating; the captioners' greedy
     * decoding most of all) already takes minutes; far too short for the models to learn the task
     * (bench/results/families-2026-12-06.md): give {@code --budget 600} or more for that.
     */
    static final double DEFAULT_BUDGET_SECONDS = 20;

    /** Held-out classes a captioner captions in each language (greedy decoding is slow). */
    static final int CAPTION_CLASSES = 25;

    private final Path dataDir;

    public FamiliesBenchmark() {
        this(Path.of(System.getProperty("streamlip.data", "data")));
    }

    FamiliesBenchmark(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "families";
    }

    @Override
    public String description() {
        return "two towers vs CLIPPO vs LIMoE (+ dense) vs captioner (+ contrastive) on the demo's"
                + " emoji stream at equal training CPU time, several seeds, one process each";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        EmojiData data = EmojiData.at(dataDir);
        if (!data.missing().isEmpty()) {
            String why =
                    "skipped: the emoji corpus is not in "
                            + dataDir.toAbsolutePath()
                            + " (streamlip demo fetches it into data/; or -Dstreamlip.data=DIR)";
            return new BenchResult(FamiliesReport.TITLE, List.of("status"))
                    .row("skipped")
                    .put("skipped", true)
                    .note(why);
        }
        List<FamilyVariant> variants =
                options.variants().isEmpty()
                        ? FamilyVariant.ALL
                        : options.variants().stream().map(FamilyVariant::named).toList();
        double budget =
                options.budgetSeconds() > 0
                        ? options.budgetSeconds()
                        : options.quick() ? 20 : DEFAULT_BUDGET_SECONDS;
        int runs = options.runs() > 0 ? options.runs() : options.quick() ? 1 : 3;
        int threads = options.threads() > 0 ? options.threads() : 2;
        List<String> languages =
                options.quick()
                        ? EmojiLearningBenchmark.QUICK_LANGUAGES
                        : EmojiLearningBenchmark.DEMO_LANGUAGES;
        int classes = options.quick() ? 100 : 500;
        int captionClasses = options.quick() ? 10 : CAPTION_CLASSES;
        int batch = TrainerConfig.defaults().batchSize();
        int baseSeed = TrainerConfig.defaults().seed();

        List<FamilyRunResult> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        // -Dstreamlip.families.dir keeps every run's JSON (and the prepared stream) there, so
        // that an interrupted measurement can still be tabulated (main).
        String keep = System.getProperty("streamlip.families.dir");
        Path work =
                keep != null
                        ? Files.createDirectories(Path.of(keep))
                        : Files.createTempDirectory("streamlip-families-bench");
        // The streams and held-out sets, each prepared once in a process of its own before the
        // timed runs, which only read them: a run that prepared them would start training with a
        // heap full of the preparation's garbage, and its memory would not compare.
        Path cache = work.resolve("cache");
        BiFunction<FamilyVariant, Integer, FamilyTrainingRun.Settings> settingsOf =
                (v, seed) ->
                        new FamilyTrainingRun.Settings(
                                v,
                                seed,
                                budget,
                                threads,
                                languages,
                                classes,
                                captionClasses,
                                batch);
        try {
            Set<String> prepared = new HashSet<>();
            for (FamilyVariant v : variants) {
                FamilyTrainingRun.Settings s = settingsOf.apply(v, baseSeed);
                if (prepared.add(FamilyTrainingRun.preparationKey(s))) {
                    try {
                        prepareChild(s, cache);
                    } catch (IOException | RuntimeException e) {
                        LOG.error("preparing for {} failed", v.name(), e);
                        failures.add("preparing for " + v.name() + ": " + e.getMessage());
                    }
                }
            }
            for (int run = 0; run < runs; run++) {
                for (FamilyVariant v : variants) {
                    FamilyTrainingRun.Settings s = settingsOf.apply(v, baseSeed + run);
                    Path out = work.resolve(v.name() + "-" + s.seed() + ".json");
                    try {
                        results.add(runChild(s, out, cache, budget));
                    } catch (IOException | RuntimeException e) {
                        LOG.error("run {} seed {} failed", v.name(), s.seed(), e);
                        failures.add(v.name() + " seed " + s.seed() + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            if (keep == null) {
                PathUtils.deleteDirectory(work);
            }
        }
        String settings =
                String.format(
                        Locale.ROOT,
                        "%d run(s) (seeds %d..%d) x %d variant(s), each in its own JVM on data"
                                + " prepared before in JVMs of their own: %.0f CPU"
                                + " seconds of training each (the process's CPU time, steps on"
                                + " %d intra-op threads; evaluation and data preparation not"
                                + " counted), batch %d, the demo trainer's optimizer, %d"
                                + " languages, %d held-out classes (captions: %d); %.1f min wall in"
                                + " all; load"
                                + " average at the end %.1f on %d CPUs",
                        runs,
                        baseSeed,
                        baseSeed + runs - 1,
                        variants.size(),
                        budget,
                        threads,
                        batch,
                        languages.size(),
                        classes,
                        captionClasses,
                        (System.nanoTime() - start) / 60e9,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        Runtime.getRuntime().availableProcessors());
        BenchResult result = FamiliesReport.of(results, failures, settings);
        result.put("budget_cpu_seconds", budget);
        result.put("threads", threads);
        result.put("languages", languages);
        result.put("held_out_classes", classes);
        return result;
    }

    /**
     * Tabulates the run results (JSON) in the folder {@code args[0]} ({@code
     * -Dstreamlip.families.dir} of an earlier, perhaps interrupted, measurement) and prints the
     * table and the JSON object.
     */
    public static void main(String[] args) throws IOException {
        List<FamilyRunResult> runs = new ArrayList<>();
        try (var files = Files.list(Path.of(args[0]))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                runs.add(FamilyTrainingRun.read(f));
            }
        }
        List<FamilyRunResult> ordered = new ArrayList<>();
        for (FamilyVariant v : FamilyVariant.ALL) {
            runs.stream().filter(r -> r.variant().equals(v.name())).forEach(ordered::add);
        }
        BenchResult result = FamiliesReport.of(ordered, List.of(), "runs read from " + args[0]);
        System.out.println(result.toTable());
        System.out.println(result.toJson());
    }

    /**
     * Prepares {@code s}'s stream and held-out sets into {@code cache} in a JVM of its own ({@code
     * prepare=only}).
     */
    private void prepareChild(FamilyTrainingRun.Settings s, Path cache) throws IOException {
        List<String> args = new ArrayList<>(s.arguments());
        args.add("prepare=" + FamilyTrainingRun.PREPARE_ONLY);
        args.add("data=" + dataDir.toAbsolutePath());
        args.add("cache=" + cache);
        LOG.info("families: preparing the data of {} in its own JVM", s.variant().name());
        long t0 = System.nanoTime();
        // Preparing the 16-language stream takes minutes on a loaded machine; past this it is
        // stuck.
        int exit = runJvm(args, "[prepare " + s.variant().name() + "] ", 3600);
        if (exit != 0) {
            throw new IOException("the preparing JVM exited with " + exit);
        }
        LOG.info(
                "families: data of {} prepared in {} s wall",
                s.variant().name(),
                Math.round((System.nanoTime() - t0) / 1e9));
    }

    /**
     * Runs {@code s} in a JVM of its own, on the data {@link #prepareChild} prepared, and reads its
     * result.
     */
    private FamilyRunResult runChild(
            FamilyTrainingRun.Settings s, Path out, Path cache, double budget) throws IOException {
        List<String> args = new ArrayList<>(s.arguments());
        args.add("prepare=" + FamilyTrainingRun.PREPARED);
        args.add("out=" + out);
        args.add("data=" + dataDir.toAbsolutePath());
        args.add("cache=" + cache);
        LOG.info("families: {} seed {} in its own JVM", s.variant().name(), s.seed());
        long t0 = System.nanoTime();
        // A run is its budget (on a loaded machine several times that in wall time) plus
        // reading the prepared data and evaluating; past this it is stuck.
        int exit =
                runJvm(
                        args,
                        "[" + s.variant().name() + " " + s.seed() + "] ",
                        Math.round(budget * 20) + 1800);
        if (exit != 0 || !Files.isRegularFile(out)) {
            throw new IOException("the run's JVM exited with " + exit);
        }
        FamilyRunResult r = FamilyTrainingRun.read(out);
        LOG.info(
                "families: {} seed {}: {} steps in {} CPU s, {} s wall for the whole run",
                r.variant(),
                r.seed(),
                r.steps(),
                Math.round(r.trainCpuSeconds()),
                Math.round((System.nanoTime() - t0) / 1e9));
        return r;
    }

    /**
     * Runs {@link FamilyTrainingRun#main} with {@code args} in a JVM of its own (this one's flags
     * and classpath), its output on stderr behind {@code prefix}; its exit value.
     *
     * @throws IOException when it does not end within {@code limitSeconds} (it is killed)
     */
    private static int runJvm(List<String> args, String prefix, long limitSeconds)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElse(
                                Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FamilyTrainingRun.class.getName());
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread pump =
                new Thread(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    child.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line; (line = in.readLine()) != null; ) {
                                    System.err.println(prefix + line);
                                }
                            } catch (IOException e) {
                                // the child ended
                            }
                        },
                        "families-child-log");
        pump.setDaemon(true);
        pump.start();
        try {
            if (!child.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IOException("no result within " + limitSeconds + " s: killed");
            }
            pump.join(5000);
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return child.exitValue();
    }
}
