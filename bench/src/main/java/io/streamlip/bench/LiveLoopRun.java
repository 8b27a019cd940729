package io.streamlip.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One demo run of {@code bench live-loop} and the figures its {@code summary.json} gives.
 *
 * @param round the round it ran in, from 1 (each round runs every arm once)
 * @param arm loop on, loop off, or loop off stopped at the loop-on run's steps
 * @param status the summary's {@code status} ({@code ok}), or why there is none
 * @param figures by name ({@link #FIGURES}); NaN where the summary has none (e.g. refusals with the
 *     loop off)
 * @param loadBefore the 1-minute load average as the run started (NaN: unknown)
 * @param loadAfter the 1-minute load average as it ended
 * @param wallSeconds the demo process's wall time
 */
public record LiveLoopRun(
        int round,
        Arm arm,
        String status,
        Map<String, Double> figures,
        double loadBefore,
        double loadAfter,
        double wallSeconds) {

    /** The arms of the comparison. */
    public enum Arm {
        ON("loop on"),
        OFF("loop off"),
        OFF_EQUAL_STEPS("loop off, equal steps");

        private final String label;

        Arm(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The figures read from each summary, in the order they are reported. */
    public static final String[] FIGURES = {
        "steps",
        "training_s",
        "examples_per_s",
        "refused",
        "unscored",
        "unrelated_recall",
        "source_refused_share",
        "i2t_r1",
        "i2t_r5",
        "t2i_r1",
        "t2i_r5"
    };

    public LiveLoopRun {
        figures = Map.copyOf(figures);
    }

    /** The figure {@code name}; NaN when this run has none. */
    public double figure(String name) {
        return figures.getOrDefault(name, Double.NaN);
    }

    public boolean ok() {
        return "ok".equals(status);
    }

    /**
     * Reads a demo's summary: steps, training seconds, examples/s, pairs refused by the live model
     * and passed unscored, the share of the {@code unrelated_caption} pairs a model judged that it
     * refused (its recall), the same share of the source's own pairs, and the held-out mean
     * recall@1 and @5 both ways.
     */
    public static LiveLoopRun of(
            int round,
            Arm arm,
            JsonNode summary,
            double loadBefore,
            double loadAfter,
            double wallSeconds) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("steps", number(summary.path("steps")));
        f.put("training_s", number(summary.path("training_seconds")));
        f.put("examples_per_s", number(summary.path("examples_per_second")));
        JsonNode scorer = summary.path("scorer");
        if (scorer.path("enabled").asBoolean(false)) {
            f.put("refused", number(scorer.path("refused")));
            f.put("unscored", number(scorer.path("unscored")));
            JsonNode kinds = scorer.path("by_noise_kind");
            f.put(
                    "unrelated_recall",
                    number(kinds.path("unrelated_caption").path("refused_share")));
            f.put("source_refused_share", number(kinds.path("source").path("refused_share")));
        }
        JsonNode mean = summary.path("eval").path("mean");
        for (String k : new String[] {"i2t_r1", "i2t_r5", "t2i_r1", "t2i_r5"}) {
            f.put(k, number(mean.path(k)));
        }
        f.values().removeIf(v -> v.isNaN());
        String status = summary.path("status").asText("no status");
        if (!"ok".equals(status) && summary.hasNonNull("failure")) {
            status = "failed: " + summary.path("failure").asText();
        }
        return new LiveLoopRun(round, arm, status, f, loadBefore, loadAfter, wallSeconds);
    }

    /** A run that left no summary. */
    public static LiveLoopRun failed(
            int round, Arm arm, String why, double loadBefore, double loadAfter, double wall) {
        return new LiveLoopRun(round, arm, why, Map.of(), loadBefore, loadAfter, wall);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "round %d %s: %s %s", round, arm.label(), status, figures);
    }
}
