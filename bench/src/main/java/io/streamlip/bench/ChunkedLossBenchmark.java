package io.streamlip.bench;

import ai.djl.Device;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.device.LossMemory;
import io.streamlip.trainer.device.PeakMemory;
import io.streamlip.trainer.loss.ChunkedSigmoidLoss;
import io.streamlip.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench chunked-loss}: peak memory and time of the sigmoid loss's forward and
 * backward, whole (one B x B logit matrix) against chunked ({@link ChunkedSigmoidLoss}: one (B/c)²
 * block at a time), at B = 1024, 4096, 8192 and c = 4, 8, on random unit embeddings of the small
 * preset's width. Only the loss side is measured (embeddings in, their gradients and those of t'
 * and b out): the towers cost the same either way and would dwarf it on a CPU.
 *
 * <p>Peak memory is the process's resident high-water mark above its level before the call ({@link
 * PeakMemory}); the reference is the full version's logit memory, one B x B float32 matrix. The
 * goals (issue 4): chunked peak at most that over c, and time at most 1.2 x the whole loss's.
 */
public final class ChunkedLossBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedLossBenchmark.class);

    @Override
    public String name() {
        return "chunked-loss";
    }

    @Override
    public String description() {
        return "sigmoid loss forward+backward, whole vs chunked: peak memory and time at B = 1024,"
                + " 4096, 8192 with 4 and 8 chunks";
    }

    @Override
    public BenchResult run(BenchOptions options) {
        int threads = options.threads() > 0 ? options.threads() : 2;
        TrainingSession.setThreads(threads);
        int dim = ModelConfig.small(new ByteTokenizer(32).vocabSize()).embedDim();
        int[] batches = options.quick() ? new int[] {256, 512} : new int[] {1024, 4096, 8192};
        int[] chunkings = {4, 8};
        int repeats = options.quick() ? 1 : Integer.getInteger("streamlip.chunkedloss.repeats", 3);
        BenchResult result =
                new BenchResult(
                        "chunked-loss: sigmoid loss forward+backward, whole vs chunked (DJL, CPU)",
                        List.of(
                                "B",
                                "loss",
                                "ms",
                                "time x whole",
                                "peak MiB",
                                "full logits MiB",
                                "peak / full logits",
                                "goal peak <= 1/c",
                                "goal time <= 1.2x"));
        List<Map<String, Object>> rows = new ArrayList<>();
        String method = null;
        for (int b : batches) {
            double fullLogitMiB = (double) b * b * Float.BYTES / (1 << 20);
            List<Measurement> chunked = new ArrayList<>();
            for (int c : chunkings) {
                chunked.add(measure(b, dim, c, repeats));
            }
            Measurement whole = measure(b, dim, 0, repeats);
            method = whole.method();
            add(result, rows, b, 0, whole, whole, fullLogitMiB);
            for (int i = 0; i < chunkings.length; i++) {
                add(result, rows, b, chunkings[i], chunked.get(i), whole, fullLogitMiB);
            }
        }
        result.put("rows", rows)
                .put("embed_dim", dim)
                .put("threads", threads)
                .put("repeats", repeats)
                .put("memory_method", method)
                .put("allocator", PeakMemory.allocatorNote());
        result.note(PeakMemory.allocatorNote());
        result.note(
                String.format(
                        Locale.ROOT,
                        "embeddings %d-d (small preset); %d thread(s); median of %d timed runs after"
                                + " one warm-up; peak = max over the runs of the resident"
                                + " high-water mark above the level before the call (%s);"
                                + " full logits = one B x B float32 matrix",
                        dim,
                        threads,
                        repeats,
                        method));
        return result;
    }

    private static void add(
            BenchResult result,
            List<Map<String, Object>> rows,
            int batch,
            int chunks,
            Measurement m,
            Measurement whole,
            double fullLogitMiB) {
        double peakMiB = m.peakBytes() / (double) (1 << 20);
        double timeRatio = m.ms() / whole.ms();
        double peakRatio = peakMiB / fullLogitMiB;
        String label = chunks == 0 ? "whole" : "chunked " + chunks;
        String memoryGoal = chunks == 0 ? "-" : peakRatio <= 1.0 / chunks ? "yes" : "no";
        String timeGoal = chunks == 0 ? "-" : timeRatio <= 1.2 ? "yes" : "no";
        result.row(
                batch,
                label,
                m.ms(),
                timeRatio,
                peakMiB,
                fullLogitMiB,
                peakRatio,
                memoryGoal,
                timeGoal);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch", batch);
        row.put("chunks", chunks);
        row.put("ms", m.ms());
        row.put("time_ratio", timeRatio);
        row.put("peak_mib", peakMiB);
        row.put("full_logits_mib", fullLogitMiB);
        row.put("peak_over_full_logits", peakRatio);
        row.put("loss", m.loss());
        rows.add(row);
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "B %d %s: %.1f ms (%.2fx), peak %.1f MiB (%.3f of the full logits),"
                                + " loss %.4f",
                        batch,
                        label,
                        m.ms(),
                        timeRatio,
                        peakMiB,
                        peakRatio,
                        m.loss()));
    }

    /** Median time, largest peak and the loss of {@code repeats} runs after a warm-up. */
    record Measurement(double ms, long peakBytes, String method, float loss) {}

    static Measurement measure(int batch, int dim, int chunks, int repeats) {
        // The CPU, as the title says (the GPU's figure is the GPU check's).
        LossMemory.Measurement m = LossMemory.measure(Device.cpu(), batch, dim, chunks, repeats);
        return new Measurement(m.millis()[repeats / 2], m.peakBytes(), m.method(), m.loss());
    }
}
