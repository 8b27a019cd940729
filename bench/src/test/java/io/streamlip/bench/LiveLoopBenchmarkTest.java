package io.streamlip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.bench.LiveLoopRun.Arm;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench live-loop}'s reading of demo summaries and its report; no demo runs here. */
class LiveLoopBenchmarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode summary(boolean loop, long steps, double i2tR1, double unrelatedShare)
            throws Exception {
        String scorer =
                loop
                        ? """
                        {"enabled": true, "refused": 8000, "unscored": 4000,
                         "by_noise_kind": {
                           "source": {"scored": 70000, "refused": 7000, "refused_share": 0.0909},
                           "unrelated_caption": {"scored": 3000, "refused": 1000,
                                                 "refused_share": %s}}}
                        """
                                .formatted(unrelatedShare)
                        : "{\"enabled\": false}";
        return JSON.readTree(
                """
                {"status": "ok", "steps": %d, "training_seconds": 240.5,
                 "examples_per_second": 350.0, "scorer": %s,
                 "eval": {"mean": {"i2t_r1": %s, "i2t_r5": 0.05, "t2i_r1": 0.012,
                                   "t2i_r5": 0.055, "n": 8000},
                          "languages": {}}}
                """
                        .formatted(steps, scorer, i2tR1));
    }

    @Test
    void readsTheFiguresOfASummary() throws Exception {
        LiveLoopRun on = LiveLoopRun.of(1, Arm.ON, summary(true, 652, 0.011, 0.25), 3, 5, 270);
        assertThat(on.ok()).isTrue();
        assertThat(on.figure("steps")).isEqualTo(652);
        assertThat(on.figure("refused")).isEqualTo(8000);
        assertThat(on.figure("unscored")).isEqualTo(4000);
        assertThat(on.figure("unrelated_recall")).isEqualTo(0.25);
        assertThat(on.figure("source_refused_share")).isEqualTo(0.0909);
        assertThat(on.figure("i2t_r1")).isEqualTo(0.011);
        assertThat(on.figure("t2i_r5")).isEqualTo(0.055);

        LiveLoopRun off = LiveLoopRun.of(1, Arm.OFF, summary(false, 785, 0.0114, 0), 5, 6, 265);
        assertThat(off.figure("steps")).isEqualTo(785);
        assertThat(off.figure("refused")).isNaN();
        assertThat(off.figure("unrelated_recall")).isNaN();

        JsonNode failed =
                JSON.readTree(
                        "{\"status\": \"failed\", \"failure\": \"no examples\", \"steps\": 0}");
        LiveLoopRun bad = LiveLoopRun.of(2, Arm.ON, failed, 1, 1, 30);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.status()).isEqualTo("failed: no examples");
    }

    @Test
    void reportsEachRunThenMeanMinAndMaxPerArmOverTheRunsThatEndedOk() throws Exception {
        LiveLoopSettings settings =
                new LiveLoopSettings(
                        2, 4, "unrelated_caption=0.1", true, List.of(), Path.of("x"), null);
        List<LiveLoopRun> runs =
                List.of(
                        LiveLoopRun.of(1, Arm.ON, summary(true, 600, 0.010, 0.2), 2, 3, 270),
                        LiveLoopRun.of(1, Arm.OFF, summary(false, 800, 0.012, 0), 3, 4, 270),
                        LiveLoopRun.of(
                                1, Arm.OFF_EQUAL_STEPS, summary(false, 600, 0.011, 0), 4, 4, 200),
                        LiveLoopRun.of(2, Arm.OFF, summary(false, 700, 0.014, 0), 4, 4, 270),
                        LiveLoopRun.of(2, Arm.ON, summary(true, 700, 0.020, 0.4), 4, 4, 270),
                        LiveLoopRun.failed(2, Arm.OFF_EQUAL_STEPS, "timed out", 4, 9, 900));
        BenchResult result = LiveLoopBenchmark.result(settings, runs);
        String table = result.toTable();
        assertThat(table).contains("loop on", "loop off, equal steps", "timed out", "mean n=2");
        JsonNode json = JSON.readTree(result.toJson());
        JsonNode on = json.path("arms").path("on");
        assertThat(on.path("runs_ok").asInt()).isEqualTo(2);
        assertThat(on.path("steps").path("mean").asDouble()).isEqualTo(650);
        assertThat(on.path("i2t_r1").path("min").asDouble()).isEqualTo(0.010);
        assertThat(on.path("i2t_r1").path("max").asDouble()).isEqualTo(0.020);
        assertThat(on.path("unrelated_recall").path("mean").asDouble())
                .isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
        JsonNode off = json.path("arms").path("off");
        assertThat(off.path("refused").path("mean").isNull()).isTrue();
        assertThat(off.path("refused").path("n").asInt()).isZero();
        // The failed equal-steps run counts in no figure.
        JsonNode equal = json.path("arms").path("off_equal_steps");
        assertThat(equal.path("runs_ok").asInt()).isEqualTo(1);
        assertThat(equal.path("steps").path("mean").asDouble()).isEqualTo(600);
        assertThat(json.path("rows")).hasSize(6);
        assertThat(json.path("rows").get(5).path("status").asText()).isEqualTo("timed out");
        assertThat(json.path("rows").get(5).path("load_after").asDouble()).isEqualTo(9);

        String md = LiveLoopBenchmark.markdown(settings, runs, Instant.EPOCH);
        assertThat(md)
                .contains("--noise=unrelated_caption=0.1 --minutes=4")
                .contains("--max-steps=<steps of that round's loop-on run>")
                .contains("| loop on | 2 | 650 (600–700) |")
                .contains("| loop off, equal steps | 1 | 600 (600–600) |");
    }

    @Test
    void settingsAreBounded() {
        LiveLoopSettings d = LiveLoopSettings.defaults();
        assertThat(d.runs()).isEqualTo(3);
        assertThat(d.minutes()).isEqualTo(4);
        assertThat(d.noise()).isEqualTo("unrelated_caption=0.1");
        assertThat(
                        new LiveLoopSettings(
                                        1, 4, "n", false, List.of(" --threads=2 "), d.out(), null)
                                .demoArgs())
                .containsExactly("--threads=2");
        assertThatThrownBy(() -> new LiveLoopSettings(101, 4, "n", false, List.of(), d.out(), null))
                .hasMessageContaining("runs must be in [1, 100]");
        assertThatThrownBy(() -> new LiveLoopSettings(1, 0, "n", false, List.of(), d.out(), null))
                .hasMessageContaining("minutes must be in (0, 600");
        assertThatThrownBy(
                        () ->
                                new LiveLoopSettings(
                                        1, Double.NaN, "n", false, List.of(), d.out(), null))
                .hasMessageContaining("minutes must be in");
        assertThatThrownBy(() -> new LiveLoopSettings(1, 4, " ", false, List.of(), d.out(), null))
                .hasMessageContaining("noise spec");
        for (String own : List.of("--out=x", "--minutes", "--noise=none", "--no-live-model")) {
            assertThatThrownBy(
                            () ->
                                    new LiveLoopSettings(
                                            1, 4, "n", false, List.of(own), d.out(), null))
                    .hasMessageContaining("is the benchmark's to set");
        }
        assertThatThrownBy(
                        () ->
                                new LiveLoopSettings(
                                        1,
                                        4,
                                        "n",
                                        false,
                                        java.util.Collections.nCopies(65, "--threads=1"),
                                        d.out(),
                                        null))
                .hasMessageContaining("at most 64 demo arguments");
    }
}
