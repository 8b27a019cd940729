package io.streamlip.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.trainer.TrainingSummary;

/** The commands' JSON output: one indented object on stdout. */
final class Json {
    /** Configured once here and never changed: safe to share. */
    private static final ObjectMapper MAPPER =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Json() {}

    static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * A training run's figures, under the names {@code summary.json} uses; {@code eval} is the
     * evaluation of its last checkpoint when it had an evaluation set.
     */
    private static void putPercentiles(
            ObjectNode node, io.streamlip.trainer.LatencyStats.Percentiles p) {
        node.put("examples", p.count());
        node.put("p50_ms", finiteOrNull(p.p50Millis()));
        node.put("p95_ms", finiteOrNull(p.p95Millis()));
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static ObjectNode training(TrainingSummary t) {
        ObjectNode s = object();
        s.put("steps", t.steps());
        s.put("global_step", t.globalStep());
        s.put("trained_examples", t.trainedExamples());
        s.put("examples_seen", t.examplesSeen());
        s.put("loss_first", t.firstLoss());
        s.put("loss_last", t.lastLoss());
        s.put("examples_per_second", t.examplesPerSecond());
        s.put("skipped_records", t.skippedRecords());
        s.put("checkpoint", t.checkpoint() == null ? null : t.checkpoint().toString());
        s.put("training_seconds", t.elapsed().toMillis() / 1000.0);
        s.put("stop_reason", t.reason().name().toLowerCase(java.util.Locale.ROOT));
        // Produce-to-trained latency: Kafka record timestamp of each example to the end of the
        // step that trained it; "steady" covers the latest 4096 examples, "overall" the run.
        ObjectNode fresh = s.putObject("freshness");
        putPercentiles(fresh.putObject("steady"), t.freshness());
        putPercentiles(fresh.putObject("overall"), t.freshnessOverall());
        s.put("freshness_p50_ms", finiteOrNull(t.freshness().p50Millis()));
        s.put("freshness_p95_ms", finiteOrNull(t.freshness().p95Millis()));
        s.put("sampled_out", t.sampledOut());
        if (t.evaluation() != null) {
            s.set("eval", t.evaluation().toJsonNode());
        }
        return s;
    }
}
