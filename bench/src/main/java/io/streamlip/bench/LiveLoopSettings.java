package io.streamlip.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How {@code streamlip bench live-loop} runs the demo, loop on against loop off.
 *
 * @param runs runs per arm, in [1, {@link #MAX_RUNS}]; default 3
 * @param minutes each demo's training time, in (0, {@link #MAX_MINUTES}]; default 4
 * @param noise the demo's {@code --noise} spec; default {@code unrelated_caption=0.1}
 * @param equalSteps also a third arm: loop off, stopped at the step count of the loop-on run of the
 *     same round (its time limit is {@link #EQUAL_STEPS_TIME_FACTOR} times {@code minutes})
 * @param demoArgs further arguments for every demo run, at most {@link #MAX_DEMO_ARGS}, each
 *     stripped of surrounding blanks (so that {@code --demo-arg=' --threads=2'} passes an option
 *     that {@code bench} itself also has)
 * @param out folder for each run's demo folder and log, and the result's JSON and Markdown; default
 *     {@code out/live-loop}
 * @param streamlip the {@code streamlip} launcher the demos run through; null: the one that started
 *     this process ({@code STREAMLIP_HOME})
 */
public record LiveLoopSettings(
        int runs,
        double minutes,
        String noise,
        boolean equalSteps,
        List<String> demoArgs,
        Path out,
        Path streamlip) {

    public static final int MAX_RUNS = 100;
    public static final double MAX_MINUTES = 600;
    public static final int MAX_DEMO_ARGS = 64;
    private static final int MAX_TEXT = 1000;

    /** The equal-steps arm's time limit, in multiples of {@code minutes}: steps should stop it. */
    public static final double EQUAL_STEPS_TIME_FACTOR = 3;

    public LiveLoopSettings {
        if (runs < 1 || runs > MAX_RUNS) {
            throw new IllegalArgumentException(
                    "live-loop runs must be in [1, " + MAX_RUNS + "], got " + runs);
        }
        if (!(minutes > 0) || minutes > MAX_MINUTES) {
            throw new IllegalArgumentException(
                    "live-loop minutes must be in (0, " + MAX_MINUTES + "], got " + minutes);
        }
        Objects.requireNonNull(noise, "noise");
        if (noise.isBlank() || noise.length() > MAX_TEXT) {
            throw new IllegalArgumentException(
                    "live-loop noise must be a noise spec of 1 to " + MAX_TEXT + " characters");
        }
        demoArgs = demoArgs.stream().map(String::strip).toList();
        if (demoArgs.size() > MAX_DEMO_ARGS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_DEMO_ARGS + " demo arguments, got " + demoArgs.size());
        }
        for (String a : demoArgs) {
            if (a.length() > MAX_TEXT) {
                throw new IllegalArgumentException(
                        "a demo argument is longer than " + MAX_TEXT + " characters");
            }
            if (a.equals("--out")
                    || a.startsWith("--out=")
                    || a.equals("--minutes")
                    || a.startsWith("--minutes=")
                    || a.equals("--noise")
                    || a.startsWith("--noise=")
                    || a.startsWith("--live-model")
                    || a.startsWith("--no-live-model")) {
                throw new IllegalArgumentException(
                        "demo argument " + a + " is the benchmark's to set (use its own options)");
            }
        }
        Objects.requireNonNull(out, "out");
    }

    /** Three runs per arm of 4 minutes, 10% unrelated captions, no equal-steps arm. */
    public static LiveLoopSettings defaults() {
        return new LiveLoopSettings(
                3, 4, "unrelated_caption=0.1", false, List.of(), Path.of("out", "live-loop"), null);
    }
}
