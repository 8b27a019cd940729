package io.streamlip.bench;

import io.streamlip.bench.EmojiLearningBenchmark.CurvePoint;
import io.streamlip.bench.EmojiLearningBenchmark.Outcome;
import io.streamlip.trainer.eval.EvalReport;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table and JSON of one or more {@code bench emoji-learning} experiments: a row and a JSON
 * object per run (its settings, figures and learning curve), the first run's figures at the top
 * level for scripts, and the machine's load at the end.
 */
final class EmojiLearningReport {
    static final String TITLE = "emoji-learning: held-out twitter retrieval after CPU training";

    private EmojiLearningReport() {}

    /** The result of {@code outcomes}, the first of which is the one scripts read. */
    static BenchResult of(List<Outcome> outcomes) {
        BenchResult result =
                new BenchResult(
                        TITLE,
                        List.of(
                                "run",
                                "steps",
                                "ex/s",
                                "loss first",
                                "loss last",
                                "i2t@1",
                                "i2t@5",
                                "t2i@1",
                                "t2i@5",
                                "zero-shot",
                                "google i2t@1",
                                "google zero-shot"));
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Outcome o : outcomes) {
            row(result, o);
            runs.add(run(o));
            result.note(o.spec().describe()).note(summary(o));
        }
        EvalReport.Metrics first = outcomes.get(0).heldOut().mean();
        result.put("heldout_i2t_r1", first.i2tR1())
                .put("heldout_i2t_r5", first.i2tR5())
                .put("heldout_t2i_r1", first.t2iR1())
                .put("heldout_zeroshot_acc", first.zeroshotAcc())
                .put("chance_r1", first.chanceR1())
                .put("steps", outcomes.get(0).steps())
                .put("examples_per_second", outcomes.get(0).examplesPerSecond())
                .put("runs", runs);
        result.note(
                String.format(
                        Locale.ROOT,
                        "%d CPUs, load average %.2f at the end",
                        Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return result;
    }

    private static void row(BenchResult result, Outcome o) {
        EvalReport.Metrics h = o.heldOut().mean();
        EvalReport.Metrics g = o.trainingStyle().mean();
        result.row(
                o.spec().label(),
                o.steps(),
                o.examplesPerSecond(),
                o.firstLoss(),
                o.lastLoss(),
                h.i2tR1(),
                h.i2tR5(),
                h.t2iR1(),
                h.t2iR5(),
                h.zeroshotAcc(),
                g.i2tR1(),
                g.zeroshotAcc());
    }

    /** One run's JSON object: its settings, its figures and its learning curve. */
    static Map<String, Object> run(Outcome o) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("label", o.spec().label());
        run.put("config", o.spec().describe());
        run.put("model", o.spec().model());
        run.put("batch", o.spec().batchSize());
        run.put("optimizer", o.spec().optimizer());
        run.put("budget_seconds", o.spec().budget().toSeconds());
        run.put("threads", o.spec().threads());
        run.put("examples_in_stream", o.examples());
        run.put("steps", o.steps());
        run.put("seconds", o.seconds());
        run.put("stream_used_up", o.exhausted());
        run.put("passes", passes(o));
        run.put("examples_per_second", o.examplesPerSecond());
        run.put("loss_first", o.firstLoss());
        run.put("loss_last", o.lastLoss());
        run.put("heldout", o.heldOut().toJsonNode());
        run.put("training_style", o.trainingStyle().toJsonNode());
        run.put("curve", o.curve().stream().map(EmojiLearningReport::point).toList());
        return run;
    }

    private static Map<String, Object> point(CurvePoint p) {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("seconds", p.seconds());
        point.put("step", p.step());
        point.put("loss", p.loss());
        point.put("i2t_r1", p.heldOut().mean().i2tR1());
        point.put("i2t_r5", p.heldOut().mean().i2tR5());
        point.put("t2i_r1", p.heldOut().mean().t2iR1());
        point.put("zeroshot_acc", p.heldOut().mean().zeroshotAcc());
        return point;
    }

    /** The note under a run's settings: how much of the stream it trained on, and chance. */
    static String summary(Outcome o) {
        return String.format(
                Locale.ROOT,
                "  %d examples in the stream, %d trained (%.2f passes) in %.0f s%s;"
                        + " chance R@1 %.4f",
                o.examples(),
                o.steps() * o.spec().batchSize(),
                passes(o),
                o.seconds(),
                o.exhausted() ? " (stream used up)" : "",
                o.heldOut().mean().chanceR1());
    }

    /** Examples trained over examples in the stream. */
    private static double passes(Outcome o) {
        return o.steps() * (double) o.spec().batchSize() / o.examples();
    }
}
