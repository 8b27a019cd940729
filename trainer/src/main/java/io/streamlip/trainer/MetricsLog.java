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
 * sampled_out}, and at an evaluation {@code eval} (metric to value). Unknown numbers (NaN) are
 * written as null.
 */
final class MetricsLog {
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
            Map<String, Double> eval) {}

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
