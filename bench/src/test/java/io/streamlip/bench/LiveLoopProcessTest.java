package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench live-loop} starting its demo processes: a stand-in launcher (a shell script that
 * writes the summary a demo would) records the arguments each run got.
 */
@Tag("integration")
class LiveLoopProcessTest {

    /**
     * Steps: 600 with the loop on, 800 off, or --max-steps; with --fail-loop-on, a loop-on demo
     * exits 3 without a summary.
     */
    private static final String LAUNCHER =
            """
            #!/usr/bin/env bash
            set -eu
            echo "$*" >> "$(dirname "$0")/calls.txt"
            out=""; loop=true; steps=800; fail=false
            for a in "$@"; do
              case "$a" in
                --fail-loop-on) fail=true ;;
                --out=*) out="${a#--out=}" ;;
                --no-live-model) loop=false ;;
                --max-steps=*) steps="${a#--max-steps=}" ;;
              esac
            done
            if [[ "$loop" == true ]]; then steps=600; fi
            mkdir -p "$out"
            if [[ "$loop" == true && "$fail" == true ]]; then
              echo "demo failed" >&2; exit 3
            fi
            cat > "$out/summary.json" <<EOF
            {"status": "ok", "steps": $steps, "training_seconds": 1.0,
             "scorer": {"enabled": $loop, "refused": 10, "unscored": 5,
                        "by_noise_kind": {"unrelated_caption": {"refused_share": 0.5}}},
             "eval": {"mean": {"i2t_r1": 0.01, "i2t_r5": 0.05, "t2i_r1": 0.01, "t2i_r5": 0.05}}}
            EOF
            """;

    @Test
    void runsTheArmsAlternatelyEachInItsOwnProcessWithEqualStepsAfterLoopOn(@TempDir Path dir)
            throws Exception {
        Path launcher = launcher(dir);
        Path out = dir.resolve("out");
        LiveLoopSettings settings =
                new LiveLoopSettings(
                        2,
                        0.5,
                        "unrelated_caption=0.1",
                        true,
                        List.of("--max-pairs=100"),
                        out,
                        launcher);
        BenchResult result =
                new LiveLoopBenchmark().run(BenchOptions.builder().liveLoop(settings).build());

        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        assertThat(calls).hasSize(6);
        // Round 1: on, off, off at the on run's steps; round 2 starts with off.
        assertThat(calls.get(0)).startsWith("demo --out=" + out.resolve("round-01-on/demo"));
        assertThat(calls.get(0))
                .contains("--minutes=0.5 --noise=unrelated_caption=0.1")
                .doesNotContain("--no-live-model")
                .endsWith("--max-pairs=100");
        assertThat(calls.get(1)).contains("round-01-off/demo", "--no-live-model");
        assertThat(calls.get(2))
                .contains("round-01-off-equal-steps/demo", "--no-live-model", "--max-steps=600")
                .contains("--minutes=1.5");
        assertThat(calls.get(3)).contains("round-02-off/demo");
        assertThat(calls.get(4)).contains("round-02-on/demo");
        assertThat(calls.get(5)).contains("round-02-off-equal-steps/demo", "--max-steps=600");

        JsonNode json = new ObjectMapper().readTree(result.toJson());
        assertThat(json.path("arms").path("on").path("steps").path("mean").asDouble())
                .isEqualTo(600);
        assertThat(json.path("arms").path("off").path("steps").path("mean").asDouble())
                .isEqualTo(800);
        assertThat(json.path("arms").path("off_equal_steps").path("steps").path("mean").asDouble())
                .isEqualTo(600);
        // Written after every run, and each run kept its command and log.
        assertThat(out.resolve("live-loop.json")).exists();
        assertThat(Files.readString(out.resolve("live-loop.md"))).contains("| loop on | 2 |");
        assertThat(Files.readString(out.resolve("round-01-off/command.txt")))
                .contains("--no-live-model");
        assertThat(out.resolve("round-01-off/demo.log")).exists();
    }

    @Test
    void aDemoThatLeavesNoSummaryIsAFailedRunAndSkipsItsEqualStepsRun(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out");
        LiveLoopSettings settings =
                new LiveLoopSettings(
                        1,
                        0.5,
                        "unrelated_caption=0.1",
                        true,
                        List.of("--fail-loop-on"),
                        out,
                        launcher(dir));
        BenchResult result =
                new LiveLoopBenchmark().run(BenchOptions.builder().liveLoop(settings).build());
        assertThat(Files.readAllLines(dir.resolve("calls.txt"))).hasSize(2);
        JsonNode rows = new ObjectMapper().readTree(result.toJson()).path("rows");
        assertThat(rows.get(0).path("status").asText())
                .isEqualTo("no summary.json; exit 3 (see demo.log)");
        assertThat(rows.get(1).path("status").asText()).isEqualTo("ok");
        assertThat(rows.get(2).path("status").asText()).startsWith("skipped");
        assertThat(Files.readString(out.resolve("round-01-on/demo.log"))).contains("demo failed");
    }

    private static Path launcher(Path dir) throws Exception {
        Path launcher = dir.resolve("streamlip");
        Files.writeString(launcher, LAUNCHER);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return launcher;
    }
}
