package io.streamlip.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The trainer's metrics file: one JSON object per line, appended (a resumed run continues the same
 * file). Each line has {@code time}, {@code step}, {@code examples}, {@code loss}, {@code
 * examples_per_second}, {@code freshness_p50_ms}, {@code freshness_p95_ms}, {@code skipped}, {@code
 * sampled_out}, at an evaluation {@code eval} (metric to value), and for LIMoE {@code routing} (the
 * last step's routing metrics, {@code RoutingStats.metrics}). Unknown numbers (NaN) are written as
 * null. As a listener it writes a line at the close of each logging window and one after each
 * evaluation (once its checkpoint is written).
 */
final class MetricsLog implements TrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    MetricsLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** One line of metrics. */
    record Line(
            long step,
            long examples,
            double loss,
            double examplesPerSecond,
            LatencyStats.Percentiles freshness,
            long skipped,
            long sampledOut,
            Map<String, Double> eval,
            Map<String, Double> routing) {}

    @Override
    public void onStep(TrainingRun run, StepEvent step) {
        TrainingRun.LossWindow window = step.window();
        if (window != null) {
            append(
                    new Line(
                            step.step(),
                            run.examplesSeen(),
                            window.meanLoss(),
                            window.examplesPerSecond(),
                            run.freshness().recent(),
                            run.source().skipped(),
                            run.source().sampledOut(),
                            Map.of(),
                            run.session().routingMetrics()));
        }
        appendEvaluation(run);
    }

    @Override
    public void onEnd(TrainingRun run) {
        appendEvaluation(run);
    }

    private void appendEvaluation(TrainingRun run) {
        if (run.evaluationNow() == null) {
            return;
        }
        append(
                new Line(
                        run.session().steps(),
                        run.examplesSeen(),
                        run.losses().lastMean(),
                        run.progress().examplesPerSecond(),
                        run.freshness().recent(),
                        run.source().skipped(),
                        run.source().sampledOut(),
                        run.evaluationNow().summary(),
                        Map.of()));
    }

    void append(Line line) {
        ObjectNode node = JSON.createObjectNode();
        node.put("time", java.time.Instant.now().toString());
        node.put("step", line.step());
        node.put("examples", line.examples());
        putNumber(node, "loss", line.loss());
        putNumber(node, "examples_per_second", line.examplesPerSecond());
        putNumber(node, "freshness_p50_ms", line.freshness().p50Millis());
        putNumber(node, "freshness_p95_ms", line.freshness().p95Millis());
        node.put("skipped", line.skipped());
        node.put("sampled_out", line.sampledOut());
        if (line.eval() != null && !line.eval().isEmpty()) {
            ObjectNode eval = node.putObject("eval");
            line.eval().forEach((k, v) -> putNumber(eval, k, v));
        }
        if (line.routing() != null && !line.routing().isEmpty()) {
            ObjectNode routing = node.putObject("routing");
            line.routing().forEach((k, v) -> putNumber(routing, k, v));
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(
                    file,
                    JSON.writeValueAsString(node) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the metrics file " + file, e);
        }
    }

    private static void putNumber(ObjectNode node, String name, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}
