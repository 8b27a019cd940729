package io.streamlip.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamlip.bench.LiveLoopRun.Arm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench live-loop}: the live-model loop's effect on learning. Runs the real demo
 * ({@code streamlip demo --noise unrelated_caption=0.1 --minutes M}), each run in its own process,
 * with the loop on and with {@code --no-live-model}, alternately, {@code runs} rounds (the first
 * arm alternates too, so that drifting load hits both), and reports each run's steps, refusals,
 * recall of the injected unrelated captions among what the model judged, and held-out recall@1/@5;
 * then the mean, min and max per arm. With {@code equalSteps}, a third arm per round runs the loop
 * off until the step count of that round's loop-on run. Writes {@code live-loop.json} and {@code
 * live-loop.md} under the settings' folder after every run, so a cut-off series keeps its runs.
 */
public final class LiveLoopBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(LiveLoopBenchmark.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What the demo process may take beyond its training time (data, start, evaluation). */
    static final double OVERHEAD_MINUTES = 10;

    @Override
    public String name() {
        return "live-loop";
    }

    @Override
    public String description() {
        return "held-out recall with the live-model loop on vs off (demo, 10% unrelated captions)";
    }

    @Override
    public BenchResult run(BenchOptions options) throws Exception {
        LiveLoopSettings settings = options.liveLoop();
        if (options.quick()) {
            settings =
                    new LiveLoopSettings(
                            1,
                            Math.min(settings.minutes(), 0.5),
                            settings.noise(),
                            settings.equalSteps(),
                            settings.demoArgs(),
                            settings.out(),
                            settings.streamlip());
        }
        Path launcher = launcher(settings);
        Files.createDirectories(settings.out());
        List<LiveLoopRun> runs = new ArrayList<>();
        Instant started = Instant.now();
        for (int round = 1; round <= settings.runs(); round++) {
            List<Arm> order = round % 2 == 1 ? List.of(Arm.ON, Arm.OFF) : List.of(Arm.OFF, Arm.ON);
            LiveLoopRun on = null;
            for (Arm arm : order) {
                LiveLoopRun run = runDemo(launcher, settings, round, arm, 0);
                runs.add(run);
                if (arm == Arm.ON) {
                    on = run;
                }
                write(settings, runs, started);
            }
            if (settings.equalSteps()) {
                long steps = on == null ? 0 : Math.round(on.figure("steps"));
                if (on != null && on.ok() && steps > 0) {
                    runs.add(runDemo(launcher, settings, round, Arm.OFF_EQUAL_STEPS, steps));
                } else {
                    runs.add(
                            LiveLoopRun.failed(
                                    round,
                                    Arm.OFF_EQUAL_STEPS,
                                    "skipped: the loop-on run of this round took no steps",
                                    Double.NaN,
                                    Double.NaN,
                                    0));
                }
                write(settings, runs, started);
            }
        }
        return result(settings, runs);
    }

    private static LiveLoopRun runDemo(
            Path launcher, LiveLoopSettings settings, int round, Arm arm, long maxSteps)
            throws IOException, InterruptedException {
        Path dir =
                settings.out()
                        .resolve(
                                String.format(
                                        Locale.ROOT,
                                        "round-%02d-%s",
                                        round,
                                        arm.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        deleteTree(dir);
        Files.createDirectories(dir);
        Path demoOut = dir.resolve("demo");
        double minutes =
                arm == Arm.OFF_EQUAL_STEPS
                        ? settings.minutes() * LiveLoopSettings.EQUAL_STEPS_TIME_FACTOR
                        : settings.minutes();
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.add("demo");
        command.add("--out=" + demoOut);
        command.add("--minutes=" + minutes);
        command.add("--noise=" + settings.noise());
        if (arm != Arm.ON) {
            command.add("--no-live-model");
        }
        if (maxSteps > 0) {
            command.add("--max-steps=" + maxSteps);
        }
        command.addAll(settings.demoArgs());
        Files.writeString(dir.resolve("command.txt"), String.join(" ", command) + "\n");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("demo.log").toFile());
        // The launcher chooses the demo's OpenMP spin unless the user chose one
        // (STREAMLIP_SPIN_CHOSEN: it chose this process's).
        double loadBefore = loadAverage();
        LOG.info("live-loop round {} {}: {}", round, arm.label(), String.join(" ", command));
        long t0 = System.nanoTime();
        Process process = pb.start();
        boolean done;
        try {
            done = process.waitFor(Math.round((minutes + OVERHEAD_MINUTES) * 60), TimeUnit.SECONDS);
        } finally {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double loadAfter = loadAverage();
        Path summary = demoOut.resolve("summary.json");
        LiveLoopRun run;
        if (!done) {
            run =
                    LiveLoopRun.failed(
                            round, arm, "timed out (see demo.log)", loadBefore, loadAfter, wall);
        } else if (!Files.isRegularFile(summary)) {
            run =
                    LiveLoopRun.failed(
                            round,
                            arm,
                            "no summary.json; exit " + process.exitValue() + " (see demo.log)",
                            loadBefore,
                            loadAfter,
                            wall);
        } else {
            run =
                    LiveLoopRun.of(
                            round,
                            arm,
                            JSON.readTree(summary.toFile()),
                            loadBefore,
                            loadAfter,
                            wall);
        }
        LOG.info("live-loop {}", run);
        return run;
    }

    /** The launcher the demos run through: the settings', or the one that started us. */
    static Path launcher(LiveLoopSettings settings) {
        if (settings.streamlip() != null) {
            return settings.streamlip().toAbsolutePath();
        }
        String home = System.getenv("STREAMLIP_HOME");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException(
                    "live-loop runs the demo through the streamlip launcher: run it as"
                            + " ./streamlip bench live-loop (or give --streamlip PATH)");
        }
        return Path.of(home, "streamlip").toAbsolutePath();
    }

    /** The 1-minute load average (Linux), NaN where unknown. */
    static double loadAverage() {
        try {
            String line = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
            return Double.parseDouble(line.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The table: one row per run, then mean, min and max per arm over its runs that ended ok. */
    static BenchResult result(LiveLoopSettings settings, List<LiveLoopRun> runs) {
        List<String> columns = new ArrayList<>(List.of("round", "arm", "status"));
        columns.addAll(List.of(LiveLoopRun.FIGURES));
        columns.add("load");
        BenchResult result =
                new BenchResult(
                        String.format(
                                Locale.ROOT,
                                "live-loop: demo --noise %s --minutes %s, loop on vs off, %d"
                                        + " round(s)",
                                settings.noise(),
                                BenchResult.format(settings.minutes()),
                                settings.runs()),
                        columns);
        for (LiveLoopRun run : runs) {
            List<Object> row = new ArrayList<>();
            row.add(String.valueOf(run.round()));
            row.add(run.arm().label());
            row.add(run.ok() ? "ok" : run.status());
            for (String f : LiveLoopRun.FIGURES) {
                row.add(cell(run.figure(f)));
            }
            row.add(String.format(Locale.ROOT, "%.1f→%.1f", run.loadBefore(), run.loadAfter()));
            result.row(row.toArray());
        }
        Map<String, Object> arms = new LinkedHashMap<>();
        for (Arm arm : Arm.values()) {
            List<LiveLoopRun> ok = runs.stream().filter(r -> r.arm() == arm && r.ok()).toList();
            if (runs.stream().noneMatch(r -> r.arm() == arm)) {
                continue;
            }
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("runs_ok", ok.size());
            for (String which : new String[] {"mean", "min", "max"}) {
                List<Object> row = new ArrayList<>();
                row.add(which + " n=" + ok.size());
                row.add(arm.label());
                row.add("");
                for (String f : LiveLoopRun.FIGURES) {
                    double v = stat(ok, f, which);
                    row.add(cell(v));
                    if (which.equals("mean")) {
                        Map<String, Object> s = new LinkedHashMap<>();
                        s.put("mean", finiteOrNull(v));
                        s.put("min", finiteOrNull(stat(ok, f, "min")));
                        s.put("max", finiteOrNull(stat(ok, f, "max")));
                        s.put("n", ok.stream().filter(r -> !Double.isNaN(r.figure(f))).count());
                        stats.put(f, s);
                    }
                }
                row.add("");
                result.row(row.toArray());
            }
            arms.put(arm.name().toLowerCase(Locale.ROOT), stats);
        }
        result.put("noise", settings.noise());
        result.put("minutes", settings.minutes());
        result.put("rounds", settings.runs());
        result.put("equal_steps", settings.equalSteps());
        result.put("demo_args", settings.demoArgs());
        result.put("arms", arms);
        List<Map<String, Object>> table = new ArrayList<>();
        for (LiveLoopRun run : runs) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("round", run.round());
            r.put("arm", run.arm().name().toLowerCase(Locale.ROOT));
            r.put("status", run.status());
            for (String f : LiveLoopRun.FIGURES) {
                r.put(f, finiteOrNull(run.figure(f)));
            }
            r.put("load_before", finiteOrNull(run.loadBefore()));
            r.put("load_after", finiteOrNull(run.loadAfter()));
            r.put("wall_s", run.wallSeconds());
            table.add(r);
        }
        result.put("rows", table);
        result.note(
                "unrelated_recall: share of the injected unrelated_caption pairs a model judged"
                        + " that it refused; source_refused_share: the same for the source's own"
                        + " pairs; i2t/t2i: held-out mean recall over the demo's languages.");
        result.note(
                "load: 1-minute load average at the run's start→end (2 cores here); runs of one"
                        + " arm alternate with the other's.");
        return result;
    }

    /** The Markdown version of {@link #result}: the command, the per-run and per-arm tables. */
    static String markdown(LiveLoopSettings settings, List<LiveLoopRun> runs, Instant started) {
        StringBuilder md = new StringBuilder();
        md.append("# bench live-loop\n\n");
        md.append("Started ").append(started).append(", written ").append(Instant.now());
        md.append(".\n\nEach run: `streamlip demo --noise=")
                .append(settings.noise())
                .append(" --minutes=")
                .append(BenchResult.format(settings.minutes()))
                .append(
                        settings.demoArgs().isEmpty()
                                ? ""
                                : " " + String.join(" ", settings.demoArgs()))
                .append("`, loop on, or with `--no-live-model`");
        if (settings.equalSteps()) {
            md.append(
                    "; the equal-steps arm adds `--no-live-model --max-steps=<steps of that"
                            + " round's loop-on run>`");
        }
        md.append(".\n\n| round | arm | status |");
        for (String f : LiveLoopRun.FIGURES) {
            md.append(' ').append(f).append(" |");
        }
        md.append(" load start→end | wall s |\n|");
        md.append(" --- |".repeat(LiveLoopRun.FIGURES.length + 5)).append('\n');
        for (LiveLoopRun run : runs) {
            md.append("| ").append(run.round()).append(" | ").append(run.arm().label());
            md.append(" | ").append(run.ok() ? "ok" : run.status()).append(" |");
            for (String f : LiveLoopRun.FIGURES) {
                md.append(' ').append(cell(run.figure(f))).append(" |");
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            " %.1f→%.1f | %.0f |%n",
                            run.loadBefore(),
                            run.loadAfter(),
                            run.wallSeconds()));
        }
        md.append("\nPer arm, over its runs that ended ok: mean (min–max), n runs.\n\n| arm | n |");
        for (String f : LiveLoopRun.FIGURES) {
            md.append(' ').append(f).append(" |");
        }
        md.append("\n|").append(" --- |".repeat(LiveLoopRun.FIGURES.length + 2)).append('\n');
        for (Arm arm : Arm.values()) {
            if (runs.stream().noneMatch(r -> r.arm() == arm)) {
                continue;
            }
            List<LiveLoopRun> ok = runs.stream().filter(r -> r.arm() == arm && r.ok()).toList();
            md.append("| ").append(arm.label()).append(" | ").append(ok.size()).append(" |");
            for (String f : LiveLoopRun.FIGURES) {
                double mean = stat(ok, f, "mean");
                md.append(' ');
                if (Double.isNaN(mean)) {
                    md.append('–');
                } else {
                    md.append(cell(mean))
                            .append(" (")
                            .append(cell(stat(ok, f, "min")))
                            .append('–')
                            .append(cell(stat(ok, f, "max")))
                            .append(')');
                }
                md.append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void write(LiveLoopSettings settings, List<LiveLoopRun> runs, Instant started)
            throws IOException {
        Files.writeString(
                settings.out().resolve("live-loop.json"), result(settings, runs).toJson() + "\n");
        Files.writeString(
                settings.out().resolve("live-loop.md"), markdown(settings, runs, started));
    }

    /** Mean, min or max of a figure over the runs that have it; NaN when none has. */
    static double stat(List<LiveLoopRun> runs, String figure, String which) {
        var values =
                runs.stream()
                        .mapToDouble(r -> r.figure(figure))
                        .filter(v -> !Double.isNaN(v))
                        .summaryStatistics();
        if (values.getCount() == 0) {
            return Double.NaN;
        }
        return switch (which) {
            case "mean" -> values.getAverage();
            case "min" -> values.getMin();
            case "max" -> values.getMax();
            default -> throw new IllegalArgumentException(which);
        };
    }

    private static String cell(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
