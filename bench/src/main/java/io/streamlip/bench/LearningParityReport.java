package io.streamlip.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.bench.LearningParityBenchmark.Diff;
import io.streamlip.bench.LearningParityBenchmark.GradientGroup;
import io.streamlip.bench.LearningParityBenchmark.Outcome;
import io.streamlip.bench.LearningParityBenchmark.StepRow;
import io.streamlip.bench.LearningParityBenchmark.WeightRow;
import io.streamlip.trainer.eval.EvalReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The table, the files and the chart of {@link LearningParityBenchmark}: {@code curves.csv} and
 * {@code curves.jsonl} (every step of both sides and the controls), {@code gradients.csv} (the
 * first step's gradient differences by tensor group), {@code weights.csv} (the weights' drift) and
 * {@code curves.svg} (both loss curves and the per-step differences, log scale).
 */
final class LearningParityReport {
    static final String TITLE =
            "learning-parity: DJL trainer vs PyTorch twin, same weights, same batches";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LearningParityReport() {}

    static BenchResult result(Outcome o) {
        BenchResult r =
                new BenchResult(
                        TITLE,
                        List.of(
                                "step",
                                "lr",
                                "loss DJL",
                                "loss PyTorch",
                                "|diff|",
                                "rel diff",
                                "|twin - permuted twin|",
                                "|twin - float64 twin|"));
        for (int step : tableSteps(o.steps().size())) {
            StepRow s = o.steps().get(step - 1);
            r.row(
                    step,
                    e(s.djlLearningRate()),
                    String.format(Locale.ROOT, "%.6f", s.djlLoss()),
                    String.format(Locale.ROOT, "%.6f", s.twinLoss()),
                    e(Math.abs(s.djlLoss() - s.twinLoss())),
                    e(Math.abs(s.djlLoss() - s.twinLoss()) / Math.abs(s.twinLoss())),
                    e(Math.abs(s.twinLoss() - s.permutedLoss())),
                    e(Math.abs(s.twinLoss() - s.float64Loss())));
        }
        r.note(
                String.format(
                        Locale.ROOT,
                        "model %s (%d parameters), batch %d, %d steps, %d threads each side,"
                                + " seed %d; torch %s; stream: %s",
                        o.model().name(),
                        o.parameters(),
                        o.settings().batch(),
                        o.steps().size(),
                        o.settings().threads(),
                        o.settings().seed(),
                        o.torchVersion(),
                        o.stream()));
        r.note("optimizer (both sides): " + o.settings().optimizer());
        StepRow first = o.steps().get(0);
        r.note(
                String.format(
                        Locale.ROOT,
                        "first step: loss DJL %.8f, PyTorch %.8f, float64 twin %.8f: |diff| %.2e"
                                + " (rel %.2e)",
                        first.djlLoss(),
                        first.twinLoss(),
                        first.float64Loss(),
                        Math.abs(first.djlLoss() - first.twinLoss()),
                        Math.abs(first.djlLoss() - first.twinLoss()) / Math.abs(first.twinLoss())));
        r.note(
                "first-step gradients by tensor group: max|g| | DJL-twin max abs, max rel, rel L2"
                        + " | DJL-float64 max abs | twin-float64 max abs | twin-permuted max abs");
        for (GradientGroup g : o.gradients()) {
            r.note(
                    String.format(
                            Locale.ROOT,
                            "  %-30s %2d tensors %8d scalars  max|g| %.2e | %.2e %.2e %.2e | %.2e |"
                                    + " %.2e | %.2e",
                            g.group(),
                            g.tensors(),
                            g.scalars(),
                            g.maxGradient(),
                            g.djlVsTwin().maxAbs(),
                            g.djlVsTwin().maxRel(),
                            g.djlVsTwin().relNorm(),
                            g.djlVsFloat64().maxAbs(),
                            g.twinVsFloat64().maxAbs(),
                            g.twinVsPermuted().maxAbs()));
        }
        r.note(
                "weights after step k: DJL-twin max abs, rel L2 | twin-permuted twin max abs, rel"
                        + " L2 | twin-float64 twin max abs, rel L2");
        for (WeightRow w : o.weights()) {
            r.note(
                    String.format(
                            Locale.ROOT,
                            "  step %4d  %.2e %.2e | %.2e %.2e | %.2e %.2e",
                            w.step(),
                            w.djlVsTwin().maxAbs(),
                            w.djlVsTwin().relNorm(),
                            w.twinVsPermuted().maxAbs(),
                            w.twinVsPermuted().relNorm(),
                            w.twinVsFloat64().maxAbs(),
                            w.twinVsFloat64().relNorm()));
        }
        double maxLr = 0;
        for (StepRow s : o.steps()) {
            maxLr =
                    Math.max(
                            maxLr,
                            Math.abs(s.djlLearningRate() - s.twinLearningRate())
                                    / Math.max(1e-30, s.djlLearningRate()));
        }
        r.note(
                String.format(
                        Locale.ROOT, "learning rates: largest relative difference %.2e", maxLr));
        if (o.djlRecall() != null) {
            r.note(
                    String.format(
                            Locale.ROOT,
                            "held-out recall after %d steps (mean of %d languages): DJL i2t R@1 %.4f"
                                    + " R@5 %.4f, t2i R@1 %.4f; PyTorch i2t R@1 %.4f R@5 %.4f, t2i R@1"
                                    + " %.4f; chance R@1 %.4f",
                            o.steps().size(),
                            o.djlRecall().languages().size(),
                            o.djlRecall().mean().i2tR1(),
                            o.djlRecall().mean().i2tR5(),
                            o.djlRecall().mean().t2iR1(),
                            o.twinRecall().mean().i2tR1(),
                            o.twinRecall().mean().i2tR5(),
                            o.twinRecall().mean().t2iR1(),
                            o.djlRecall().mean().chanceR1()));
            r.put("recall_djl", recall(o.djlRecall()));
            r.put("recall_pytorch", recall(o.twinRecall()));
        }
        r.put("model", o.model().name())
                .put("parameters", o.parameters())
                .put("steps", o.steps().size())
                .put("batch", o.settings().batch())
                .put("stream", o.stream())
                .put("torch_version", o.torchVersion())
                .put("first_loss_djl", first.djlLoss())
                .put("first_loss_pytorch", first.twinLoss())
                .put("first_loss_float64", first.float64Loss())
                .put("max_gradient_abs_diff", max(o.gradients(), g -> g.djlVsTwin().maxAbs()))
                .put("max_gradient_rel_diff", max(o.gradients(), g -> g.djlVsTwin().maxRel()))
                .put("last_loss_djl", o.steps().get(o.steps().size() - 1).djlLoss())
                .put("last_loss_pytorch", o.steps().get(o.steps().size() - 1).twinLoss());
        return r;
    }

    private static Map<String, Double> recall(EvalReport report) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("i2t_r1", report.mean().i2tR1());
        m.put("i2t_r5", report.mean().i2tR5());
        m.put("t2i_r1", report.mean().t2iR1());
        m.put("t2i_r5", report.mean().t2iR5());
        return m;
    }

    private static <T> double max(List<T> items, ToDoubleFunction<T> f) {
        return items.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    /** Steps shown in the table: 1, 2, 3, 5, 10, 20, 50, then every 50th, and the last. */
    static Set<Integer> tableSteps(int steps) {
        Set<Integer> out = new TreeSet<>();
        for (int s : new int[] {1, 2, 3, 5, 10, 20}) {
            if (s <= steps) {
                out.add(s);
            }
        }
        for (int s = 50; s <= steps; s += 50) {
            out.add(s);
        }
        out.add(steps);
        return out;
    }

    private static String e(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2e", v);
    }

    // --- files ------------------------------------------------------------------------------

    static void write(Outcome o, Path folder) throws IOException {
        Files.createDirectories(folder);
        StringBuilder csv =
                new StringBuilder(
                        "step,lr_djl,lr_pytorch,loss_djl,loss_pytorch,abs_diff,rel_diff,"
                                + "loss_pytorch_permuted,loss_pytorch_float64,grad_norm_djl,"
                                + "grad_norm_pytorch\n");
        StringBuilder jsonl = new StringBuilder();
        for (StepRow s : o.steps()) {
            double d = Math.abs(s.djlLoss() - s.twinLoss());
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.9g,%.9g,%.9g,%.9g,%.4g,%.4g,%.9g,%.9g,%.9g,%.9g%n",
                            s.step(),
                            s.djlLearningRate(),
                            s.twinLearningRate(),
                            s.djlLoss(),
                            s.twinLoss(),
                            d,
                            d / Math.abs(s.twinLoss()),
                            s.permutedLoss(),
                            s.float64Loss(),
                            s.djlGradientNorm(),
                            s.twinGradientNorm()));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", s.step());
            line.put("lr_djl", s.djlLearningRate());
            line.put("lr_pytorch", s.twinLearningRate());
            line.put("loss_djl", s.djlLoss());
            line.put("loss_pytorch", s.twinLoss());
            line.put("loss_pytorch_permuted", nanToNull(s.permutedLoss()));
            line.put("loss_pytorch_float64", nanToNull(s.float64Loss()));
            line.put("grad_norm_djl", s.djlGradientNorm());
            line.put("grad_norm_pytorch", s.twinGradientNorm());
            jsonl.append(JSON.writeValueAsString(line)).append('\n');
        }
        Files.writeString(folder.resolve("curves.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("curves.jsonl"), jsonl, StandardCharsets.UTF_8);
        StringBuilder g =
                new StringBuilder(
                        "group,tensors,scalars,max_abs_gradient,djl_twin_max_abs,djl_twin_max_rel,"
                                + "djl_twin_rel_l2,djl_float64_max_abs,twin_float64_max_abs,"
                                + "twin_permuted_max_abs\n");
        for (GradientGroup x : o.gradients()) {
            g.append(
                    String.format(
                            Locale.ROOT,
                            "%s,%d,%d,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g%n",
                            x.group(),
                            x.tensors(),
                            x.scalars(),
                            x.maxGradient(),
                            x.djlVsTwin().maxAbs(),
                            x.djlVsTwin().maxRel(),
                            x.djlVsTwin().relNorm(),
                            x.djlVsFloat64().maxAbs(),
                            x.twinVsFloat64().maxAbs(),
                            x.twinVsPermuted().maxAbs()));
        }
        Files.writeString(folder.resolve("gradients.csv"), g, StandardCharsets.UTF_8);
        StringBuilder w =
                new StringBuilder(
                        "step,djl_twin_max_abs,djl_twin_rel_l2,twin_permuted_max_abs,"
                                + "twin_permuted_rel_l2,twin_float64_max_abs,twin_float64_rel_l2\n");
        for (WeightRow x : o.weights()) {
            w.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g%n",
                            x.step(),
                            x.djlVsTwin().maxAbs(),
                            x.djlVsTwin().relNorm(),
                            x.twinVsPermuted().maxAbs(),
                            x.twinVsPermuted().relNorm(),
                            x.twinVsFloat64().maxAbs(),
                            x.twinVsFloat64().relNorm()));
        }
        Files.writeString(folder.resolve("weights.csv"), w, StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("curves.svg"), svg(o), StandardCharsets.UTF_8);
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** Two panels: both loss curves; the per-step |differences| on a log scale. */
    static String svg(Outcome o) {
        int width = 760;
        int panel = 260;
        int left = 60;
        int right = 20;
        int top = 30;
        int gap = 50;
        int height = top + 2 * panel + gap + 40;
        List<StepRow> steps = o.steps();
        int n = steps.size();
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (StepRow s : steps) {
            lo = Math.min(lo, Math.min(s.djlLoss(), s.twinLoss()));
            hi = Math.max(hi, Math.max(s.djlLoss(), s.twinLoss()));
        }
        if (hi <= lo) {
            hi = lo + 1;
        }
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n",
                        width,
                        height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"18\" font-size=\"14\">%s: loss, DJL (blue) and"
                                + " PyTorch twin (orange, dashed)</text>%n",
                        left,
                        o.model().name()));
        double lo0 = lo;
        double hi0 = hi;
        List<String> lossAxis = new ArrayList<>();
        axes(s, left, top, width - left - right, panel, n);
        for (int i = 0; i <= 4; i++) {
            double v = lo0 + (hi0 - lo0) * i / 4;
            int y = (int) Math.round(top + panel - panel * (v - lo0) / (hi0 - lo0));
            lossAxis.add(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f</text>",
                            left - 4,
                            y + 4,
                            v));
        }
        lossAxis.forEach(l -> s.append(l).append('\n'));
        s.append(
                polyline(
                        steps,
                        StepRow::djlLoss,
                        x -> (x - lo0) / (hi0 - lo0),
                        left,
                        top,
                        width - left - right,
                        panel,
                        "#1f77b4",
                        ""));
        s.append(
                polyline(
                        steps,
                        StepRow::twinLoss,
                        x -> (x - lo0) / (hi0 - lo0),
                        left,
                        top,
                        width - left - right,
                        panel,
                        "#ff7f0e",
                        " stroke-dasharray=\"6,4\""));
        int top2 = top + panel + gap;
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-size=\"14\">|loss difference| per step (log):"
                                + " DJL-twin (blue), twin-permuted twin (green), twin-float64 twin"
                                + " (grey)</text>%n",
                        left,
                        top2 - 10));
        axes(s, left, top2, width - left - right, panel, n);
        double logLo = -9;
        double logHi = 0;
        for (int e = (int) logLo; e <= logHi; e += 3) {
            int y = (int) Math.round(top2 + panel - panel * (e - logLo) / (logHi - logLo));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">1e%d</text>%n",
                            left - 4,
                            y + 4,
                            e));
        }
        ToDoubleFunction<Double> scale =
                v -> (Math.log10(Math.max(v, 1e-9)) - logLo) / (logHi - logLo);
        s.append(
                polyline(
                        steps,
                        r -> Math.abs(r.djlLoss() - r.twinLoss()),
                        scale,
                        left,
                        top2,
                        width - left - right,
                        panel,
                        "#1f77b4",
                        ""));
        if (!Double.isNaN(steps.get(0).permutedLoss())) {
            s.append(
                    polyline(
                            steps,
                            r -> Math.abs(r.twinLoss() - r.permutedLoss()),
                            scale,
                            left,
                            top2,
                            width - left - right,
                            panel,
                            "#2ca02c",
                            ""));
        }
        if (!Double.isNaN(steps.get(0).float64Loss())) {
            s.append(
                    polyline(
                            steps,
                            r -> Math.abs(r.twinLoss() - r.float64Loss()),
                            scale,
                            left,
                            top2,
                            width - left - right,
                            panel,
                            "#7f7f7f",
                            ""));
        }
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n",
                        left + (width - left - right) / 2,
                        height - 8));
        s.append("</svg>\n");
        return s.toString();
    }

    private static void axes(StringBuilder s, int x, int y, int w, int h, int steps) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                                + " stroke=\"#999\"/>%n",
                        x,
                        y,
                        w,
                        h));
        for (int i = 0; i <= 4; i++) {
            int step = (int) Math.round((double) steps * i / 4);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                            x + w * i / 4,
                            y + h + 14,
                            step));
        }
    }

    private static String polyline(
            List<StepRow> steps,
            ToDoubleFunction<StepRow> value,
            ToDoubleFunction<Double> scale,
            int x,
            int y,
            int w,
            int h,
            String colour,
            String extra) {
        StringBuilder p = new StringBuilder();
        int n = steps.size();
        for (int i = 0; i < n; i++) {
            double v = scale.applyAsDouble(value.applyAsDouble(steps.get(i)));
            v = Math.max(0, Math.min(1, v));
            p.append(
                    String.format(
                            Locale.ROOT,
                            "%.1f,%.1f ",
                            x + (n == 1 ? 0 : (double) w * i / (n - 1)),
                            y + h - h * v));
        }
        return String.format(
                Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\"%s points=\"%s\"/>%n",
                colour,
                extra,
                p.toString().trim());
    }

    static String fmt(Diff d) {
        return String.format(Locale.ROOT, "%.2e / %.2e", d.maxAbs(), d.maxRel());
    }
}
