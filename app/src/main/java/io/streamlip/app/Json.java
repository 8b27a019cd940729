package io.streamlip.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.trainer.TrainingSummary;
import io.streamlip.trainer.limoe.RoutingStats;

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
        if (t.routing() != null) {
            s.set("routing", routing(t.routing()));
        }
        return s;
    }

    /**
     * LIMoE's routing of one step, as {@code summary.json} and {@code streamlip train} print it:
     * {@code from} ({@code last_step}: the run's last training step, as its last progress line and
     * final checkpoint report it), {@code aux_loss} (the weighted entropy losses), and {@code
     * layers}, one per sparse block: {@code block} (its index) and per modality ({@code image},
     * {@code text}) its {@code tokens}, {@code dropped_fraction} (assignments over capacity, which
     * skip the block), {@code local_entropy} and {@code global_entropy} (nats) and {@code
     * expert_utilisation} (each expert's share of the modality's assignments). Unknown numbers are
     * null.
     */
    static ObjectNode routing(RoutingStats routing) {
        ObjectNode r = object();
        r.put("from", "last_step");
        r.put("aux_loss", finiteOrNull(routing.auxiliaryLoss()));
        ArrayNode layers = r.putArray("layers");
        for (RoutingStats.BlockRouting block : routing.blocks()) {
            ObjectNode layer = layers.addObject();
            layer.put("block", block.block());
            block.modalities()
                    .forEach(
                            (modality, m) -> {
                                ObjectNode side = layer.putObject(modality.key());
                                side.put("tokens", m.tokens());
                                side.put("dropped_fraction", finiteOrNull(m.droppedFraction()));
                                side.put("local_entropy", finiteOrNull(m.localEntropy()));
                                side.put("global_entropy", finiteOrNull(m.globalEntropy()));
                                ArrayNode experts = side.putArray("expert_utilisation");
                                for (int e = 0; e < m.load().length; e++) {
                                    experts.add(finiteOrNull(m.utilisation(e)));
                                }
                            });
        }
        return r;
    }
}
