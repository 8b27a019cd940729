package io.streamlip.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.ModelUpdate;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer as seen from outside: the {@link ModelUpdate}s it announces at each checkpoint (step,
 * examples seen, loss since the previous checkpoint, evaluation summary), and, when given, the
 * newest line of its JSON-lines metrics file (fields {@code step}, {@code loss}, {@code
 * examples_per_second} or {@code examplesPerSecond}, {@code examples_seen} or {@code examplesSeen};
 * unknown fields are ignored).
 */
final class TrainerTracker {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerTracker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TAIL_BYTES = 64 * 1024;

    private final AvroSerde<ModelUpdate> serde = AvroSerde.of(ModelUpdate.class);
    private final Deque<ModelUpdate> updates = new ArrayDeque<>();
    private final int maxUpdates;
    private final Path metricsFile;
    private long total;
    private boolean warnedFile;

    TrainerTracker(int maxUpdates, Path metricsFile) {
        this.maxUpdates = maxUpdates;
        this.metricsFile = metricsFile;
    }

    /** Takes one record of the model-updates topic; undecodable ones are skipped. */
    void add(byte[] value) {
        try {
            updates.addLast(serde.decode(value));
            total++;
            while (updates.size() > maxUpdates) {
                updates.removeFirst();
            }
        } catch (RuntimeException e) {
            LOG.debug("skipping an undecodable model update", e);
        }
    }

    /** Loss and evaluation by step, oldest first. */
    List<TrainerPoint> curve() {
        List<TrainerPoint> out = new ArrayList<>();
        for (ModelUpdate u : updates) {
            out.add(
                    new TrainerPoint(
                            u.getStep(),
                            u.getCreatedTime().toEpochMilli(),
                            u.getLoss(),
                            new TreeMap<>(u.getEval())));
        }
        return out;
    }

    /** The trainer's figures now, or null when it has published nothing and has no metrics file. */
    Snapshot.TrainerStats stats(long nowMs) {
        ModelUpdate last = updates.peekLast();
        JsonNode line = newestMetricsLine();
        if (last == null && line == null) {
            return null;
        }
        String version = last == null ? null : last.getModelVersion();
        long step = last == null ? 0 : last.getStep();
        long seen = last == null ? 0 : last.getExamplesSeen();
        double loss = last == null || last.getLoss() == null ? Double.NaN : last.getLoss();
        double rate = Double.NaN;
        double freshness = Double.NaN;
        Map<String, Double> eval = Map.of();
        if (last != null) {
            freshness = (nowMs - last.getCreatedTime().toEpochMilli()) / 1000.0;
            eval = newestEval();
            ModelUpdate previous = previous();
            if (previous != null) {
                double seconds =
                        (last.getCreatedTime().toEpochMilli()
                                        - previous.getCreatedTime().toEpochMilli())
                                / 1000.0;
                if (seconds > 0) {
                    rate = (last.getExamplesSeen() - previous.getExamplesSeen()) / seconds;
                }
            }
        }
        String source = "model-updates";
        if (line != null && line.path("step").asLong(-1) >= step) {
            source = "metrics-file";
            step = line.path("step").asLong();
            loss = number(line, loss, "loss");
            rate = number(line, rate, "examples_per_second", "examplesPerSecond");
            seen = (long) number(line, seen, "examples_seen", "examplesSeen");
        }
        return new Snapshot.TrainerStats(
                version, step, seen, loss, rate, freshness, eval, total, source);
    }

    private ModelUpdate previous() {
        if (updates.size() < 2) {
            return null;
        }
        var it = updates.descendingIterator();
        it.next();
        return it.next();
    }

    /** The evaluation of the newest update that has one (not every checkpoint is evaluated). */
    private Map<String, Double> newestEval() {
        var it = updates.descendingIterator();
        while (it.hasNext()) {
            Map<String, Double> eval = it.next().getEval();
            if (!eval.isEmpty()) {
                return new TreeMap<>(eval);
            }
        }
        return Map.of();
    }

    private static double number(JsonNode node, double fallback, String... names) {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v != null && v.isNumber()) {
                return v.asDouble();
            }
        }
        return fallback;
    }

    /** The last complete line of the metrics file, parsed, or null. */
    private JsonNode newestMetricsLine() {
        if (metricsFile == null || !Files.isRegularFile(metricsFile)) {
            return null;
        }
        try (RandomAccessFile f = new RandomAccessFile(metricsFile.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, TAIL_BYTES);
            byte[] tail = new byte[n];
            f.seek(length - n);
            f.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i].trim();
                if (l.startsWith("{") && l.endsWith("}")) {
                    JsonNode node = JSON.readTree(l);
                    if (node.has("step")) {
                        return node;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!warnedFile) {
                LOG.warn("cannot read the trainer metrics file {}: {}", metricsFile, e.toString());
                warnedFile = true;
            }
        }
        return null;
    }
}
