package io.streamlip.bench;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.trainer.TrainingSession;
import io.streamlip.trainer.data.PreprocessedExamples;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.PeakMemory;
import io.streamlip.trainer.limoe.Modality;
import io.streamlip.trainer.limoe.RoutingStats;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamlip bench limoe}: (1) step time and peak memory of LIMoE ({@code limoe-small})
 * against the two-tower model of the same width ({@code small}) and the dense one-tower baseline at
 * the same FLOPs per token ({@code limoe-small} with one expert: top-1 routing runs one expert MLP
 * per token, as the dense MLP does), measured in interleaved rounds on the same synthetic batches;
 * (2) the expert table after a short run of {@code limoe-small} on the synthetic stream: per sparse
 * block and expert, the image and text tokens it kept early and late in the run, and an SVG of the
 * late shares ({@code -Dstreamlip.limoe.svg}, default {@code limoe-experts.svg}).
 */
public final class LimoeBenchmark implements Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(LimoeBenchmark.class);

    @Override
    public String name() {
        return "limoe";
    }

    @Override
    public String description() {
        return "LIMoE vs two towers vs dense one tower: step time and peak memory; the expert table"
                + " (image/text token share per expert) after a short run, with an SVG";
    }

    @Override
    public BenchResult run(BenchOptions options) throws IOException {
        int threads = options.threads() > 0 ? options.threads() : 2;
        TrainingSession.setThreads(threads);
        int batch = Integer.getInteger("streamlip.limoe.batch", options.quick() ? 32 : 128);
        int rounds = options.quick() ? 1 : Integer.getInteger("streamlip.limoe.rounds", 3);
        int timed = options.quick() ? 3 : 10;
        int runSteps =
                options.limit() > 0
                        ? (int) options.limit()
                        : options.quick() ? 20 : Integer.getInteger("streamlip.limoe.steps", 300);
        ByteTokenizer tokenizer = new ByteTokenizer(32);
        int vocab = tokenizer.vocabSize();
        ModelConfig limoe = ModelConfig.preset("limoe-small", vocab);
        ModelConfig dense =
                limoe.toBuilder()
                        .name("limoe-small-dense")
                        .moe(limoe.moe().toBuilder().experts(1).globalEntropyThreshold(0).build())
                        .build();
        List<ModelConfig> models = List.of(ModelConfig.small(vocab), limoe, dense);

        BenchResult result =
                new BenchResult(
                        "limoe: step time and peak memory (DJL, CPU, B=" + batch + ")",
                        List.of(
                                "model",
                                "parameters",
                                "ms/step (median of rounds)",
                                "spread ms",
                                "x two towers",
                                "peak MiB"));
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, Double> peaks = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (ModelConfig m : models) {
                double[] ms = new double[1];
                PeakMemory.Peak peak =
                        PeakMemory.measureResident(
                                () -> {
                                    TrainingStepTimer.Result t =
                                            TrainingStepTimer.measure(m, batch, threads, 2, timed);
                                    ms[0] = t.msPerStep();
                                    sizes.put(m.name(), t.parameters());
                                });
                times.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(ms[0]);
                peaks.merge(m.name(), peak.bytes() / (1024.0 * 1024.0), Math::max);
                LOG.info("round {} {}: {} ms/step", r, m.name(), ms[0]);
            }
        }
        double base = median(times.get(models.get(0).name()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelConfig m : models) {
            List<Double> t = times.get(m.name());
            double med = median(t);
            double spread =
                    t.stream().mapToDouble(d -> d).max().orElse(0)
                            - t.stream().mapToDouble(d -> d).min().orElse(0);
            result.row(m.name(), sizes.get(m.name()), med, spread, med / base, peaks.get(m.name()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", m.name());
            row.put("parameters", sizes.get(m.name()));
            row.put("ms_per_step", t);
            row.put("ratio_to_two_towers", med / base);
            row.put("peak_mib", peaks.get(m.name()));
            rows.add(row);
        }
        result.put("timing", rows);

        ExpertTable table = expertTable(limoe, batch, runSteps, tokenizer);
        result.put("expert_table", table.json());
        result.put("loss_first10", table.firstLoss());
        result.put("loss_last10", table.lastLoss());
        for (String line : table.text()) {
            result.note(line);
        }
        Path svg = Path.of(System.getProperty("streamlip.limoe.svg", "limoe-experts.svg"));
        Files.writeString(svg, table.svg(), StandardCharsets.UTF_8);
        result.put("svg", svg.toAbsolutePath().toString());
        result.note(
                "threads "
                        + threads
                        + "; "
                        + rounds
                        + " interleaved rounds of "
                        + timed
                        + " timed steps; a shared, noisy machine: compare the ratios, not the"
                        + " absolute times. Peak: resident high-water mark above the start of each"
                        + " model's measurement (max over rounds).");
        return result;
    }

    /** Kept tokens per (block, modality, expert), summed over a window of steps. */
    record ExpertTable(
            int experts,
            int steps,
            Map<Integer, Map<Modality, long[]>> early,
            Map<Integer, Map<Modality, long[]>> late,
            Map<Integer, Map<Modality, long[]>> dropped,
            double firstLoss,
            double lastLoss) {

        List<String> text() {
            List<String> out = new ArrayList<>();
            out.add(
                    String.format(
                            Locale.ROOT,
                            "expert table after %d steps (limoe-small): loss %.3f -> %.3f (means of"
                                    + " the first and last 10 steps)",
                            steps,
                            firstLoss,
                            lastLoss));
            for (int block : late.keySet()) {
                out.add(
                        "block "
                                + block
                                + ": expert | image share of its tokens (first 10% of steps ->"
                                + " last 10%) | image tokens | text tokens (last 10%)");
                for (int e = 0; e < experts; e++) {
                    out.add(
                            String.format(
                                    Locale.ROOT,
                                    "  %d | %.2f -> %.2f | %d | %d",
                                    e,
                                    imageShare(early.get(block), e),
                                    imageShare(late.get(block), e),
                                    late.get(block).get(Modality.IMAGE)[e],
                                    late.get(block).get(Modality.TEXT)[e]));
                }
                long[] d = dropped.get(block).get(Modality.IMAGE);
                long[] t = dropped.get(block).get(Modality.TEXT);
                out.add(
                        String.format(
                                Locale.ROOT,
                                "  dropped (last 10%%): image %.3f, text %.3f",
                                (double) d[0] / Math.max(1, d[1]),
                                (double) t[0] / Math.max(1, t[1])));
            }
            return out;
        }

        Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int block : late.keySet()) {
                Map<String, Object> b = new LinkedHashMap<>();
                for (String phase : List.of("early", "late")) {
                    Map<Integer, Map<Modality, long[]>> src = phase.equals("early") ? early : late;
                    b.put(phase + "_image_tokens", src.get(block).get(Modality.IMAGE));
                    b.put(phase + "_text_tokens", src.get(block).get(Modality.TEXT));
                }
                out.put("block_" + block, b);
            }
            return out;
        }

        /** Stacked bars per expert, one panel per block: image vs text share of kept tokens. */
        String svg() {
            int barW = 36;
            int gap = 12;
            int panelH = 180;
            int top = 50;
            int left = 60;
            int panelW = experts * (barW + gap) + gap;
            int panels = late.size();
            // Wide enough for the title line whatever the number of panels.
            int width = Math.max(left + panels * (panelW + 40) + 20, 720);
            int height = top + panelH + 80;
            StringBuilder s = new StringBuilder();
            s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(width)
                    .append("\" height=\"")
                    .append(height)
                    .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
            s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"20\" font-size=\"14\">LIMoE experts after %d steps"
                                    + " (limoe-small, synthetic stream): share of each expert's"
                                    + " tokens</text>\n",
                            left,
                            steps));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"12\" fill=\"#1f77b4\"/>"
                                    + "<text x=\"%d\" y=\"40\">image</text>"
                                    + "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"12\""
                                    + " fill=\"#ff7f0e\"/><text x=\"%d\" y=\"40\">text</text>\n",
                            left,
                            left + 16,
                            left + 70,
                            left + 86));
            int panel = 0;
            for (int block : late.keySet()) {
                int x0 = left + panel * (panelW + 40);
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%d\" y=\"%d\">block %d (last 10%% of steps)</text>\n",
                                x0,
                                top + panelH + 55,
                                block));
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                                x0,
                                top + panelH,
                                x0 + panelW,
                                top + panelH));
                long[] img = late.get(block).get(Modality.IMAGE);
                long[] txt = late.get(block).get(Modality.TEXT);
                long max = 1;
                for (int e = 0; e < experts; e++) {
                    max = Math.max(max, img[e] + txt[e]);
                }
                for (int e = 0; e < experts; e++) {
                    int x = x0 + gap + e * (barW + gap);
                    double hImg = panelH * (double) img[e] / max;
                    double hTxt = panelH * (double) txt[e] / max;
                    s.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\""
                                            + " fill=\"#1f77b4\"/>\n",
                                    x,
                                    top + panelH - hImg,
                                    barW,
                                    hImg));
                    s.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\""
                                            + " fill=\"#ff7f0e\"/>\n",
                                    x,
                                    top + panelH - hImg - hTxt,
                                    barW,
                                    hTxt));
                    s.append(
                            String.format(
                                    Locale.ROOT,
                                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">e%d</text>\n",
                                    x + barW / 2,
                                    top + panelH + 15,
                                    e));
                    s.append(
                            String.format(
                                    Locale.ROOT,
                                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\""
                                            + " font-size=\"10\">%.0f%%</text>\n",
                                    x + barW / 2,
                                    top + panelH + 30,
                                    100 * imageShare(late.get(block), e)));
                }
                panel++;
            }
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"5\" y=\"%d\" font-size=\"10\">bar height: tokens kept;"
                                    + " %% under a bar: image share</text>\n",
                            height - 5));
            s.append("</svg>\n");
            return s.toString();
        }

        private static double imageShare(Map<Modality, long[]> counts, int e) {
            long img = counts.get(Modality.IMAGE)[e];
            long txt = counts.get(Modality.TEXT)[e];
            return img + txt == 0 ? Double.NaN : (double) img / (img + txt);
        }
    }

    private static ExpertTable expertTable(
            ModelConfig model, int batch, int steps, ByteTokenizer tokenizer) {
        List<TrainingBatch> batches =
                PreprocessedExamples.batches(
                        PreprocessedExamples.of(
                                new SyntheticPairs().pairs(batch * Math.min(steps, 100), 17),
                                model.imageSize(),
                                tokenizer),
                        batch,
                        model,
                        tokenizer.eosId());
        int window = Math.max(1, steps / 10);
        Map<Integer, Map<Modality, long[]>> early = new TreeMap<>();
        Map<Integer, Map<Modality, long[]>> late = new TreeMap<>();
        Map<Integer, Map<Modality, long[]>> dropped = new TreeMap<>();
        List<Float> losses = new ArrayList<>();
        OptimizerConfig optimizer =
                OptimizerConfig.builder().warmupSteps(Math.min(20, steps / 5)).build();
        try (TrainingSession session = TrainingSession.create(model, optimizer, 3)) {
            for (int i = 0; i < steps; i++) {
                losses.add(session.step(batches.get(i % batches.size())).loss());
                RoutingStats routing = session.lastRouting();
                if (i < window) {
                    add(early, routing, false);
                }
                if (i >= steps - window) {
                    add(late, routing, false);
                    add(dropped, routing, true);
                }
                if (i % 50 == 0) {
                    LOG.info("expert run step {} loss {}", i, losses.get(i));
                }
            }
        }
        int n = Math.min(10, steps);
        return new ExpertTable(
                model.moe().experts(),
                steps,
                early,
                late,
                dropped,
                mean(losses.subList(0, n)),
                mean(losses.subList(steps - n, steps)));
    }

    /** Adds kept tokens per expert, or (dropped, routed) when {@code drops}. */
    private static void add(
            Map<Integer, Map<Modality, long[]>> into, RoutingStats routing, boolean drops) {
        for (RoutingStats.BlockRouting b : routing.blocks()) {
            Map<Modality, long[]> block = into.computeIfAbsent(b.block(), k -> new TreeMap<>());
            for (Map.Entry<Modality, RoutingStats.ModalityRouting> e : b.modalities().entrySet()) {
                RoutingStats.ModalityRouting r = e.getValue();
                long[] counts =
                        block.computeIfAbsent(
                                e.getKey(), k -> new long[drops ? 2 : r.load().length]);
                if (drops) {
                    counts[0] += r.dropped();
                    counts[1] += r.routed();
                } else {
                    for (int x = 0; x < r.load().length; x++) {
                        counts[x] += r.load()[x];
                    }
                }
            }
        }
    }

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
