package io.streamlip.app;

import java.io.PrintWriter;
import java.util.Locale;

/** The text form of a {@link PairTracer.Trace}: a block per pair, one line per record. */
final class TraceText {
    private TraceText() {}

    static void write(PairTracer.Trace trace, PrintWriter out) {
        if (!trace.found()) {
            out.println("no pair with id or image SHA-256 " + trace.query());
        }
        for (PairTracer.PairHistory p : trace.pairs()) {
            out.println(
                    "pair "
                            + p.id()
                            + (p.source() == null ? "" : "  source " + p.source())
                            + "  status "
                            + p.status());
            if (p.imageSha256() != null) {
                out.println("  image sha256 " + p.imageSha256());
            }
            for (PairTracer.Position raw : p.raw()) {
                line(out, "raw", raw.toString());
            }
            for (PairTracer.RejectEvent r : p.rejects()) {
                line(
                        out,
                        "rejected",
                        r.stage()
                                + " "
                                + r.reason()
                                + (r.modelVersion() == null ? "" : " by model " + r.modelVersion())
                                + ": "
                                + r.detail()
                                + "  ("
                                + r.at()
                                + ")");
            }
            for (PairTracer.CuratedEvent c : p.curated()) {
                String score =
                        c.crossmodalScore() == null
                                ? "unscored"
                                : String.format(
                                        Locale.ROOT,
                                        "score %.4f under %s",
                                        c.crossmodalScore(),
                                        c.modelVersion());
                line(out, "curated", c.at() + "  lang " + c.lang() + ", " + score);
            }
            for (PairTracer.ExampleEvent e : p.examples()) {
                line(out, "example", e.at().toString());
                PairTracer.Checkpoint c = e.trainedBy();
                line(
                        out,
                        "trained",
                        c == null
                                ? "not yet: no checkpoint's trained-up-to offsets include "
                                        + e.at().topic()
                                        + " "
                                        + e.at().partition()
                                        + "/"
                                        + e.at().offset()
                                : "step "
                                        + c.step()
                                        + ", model "
                                        + c.modelVersion()
                                        + "  ("
                                        + c.createdTime()
                                        + ", "
                                        + c.checkpointPath()
                                        + ")");
            }
            if (p.eventsLeftOut() > 0) {
                out.println("  ... and " + p.eventsLeftOut() + " more records of this pair");
            }
        }
        if (trace.truncated()) {
            out.println(
                    "more than "
                            + PairTracer.MAX_PAIRS
                            + " pairs match; the first "
                            + PairTracer.MAX_PAIRS
                            + " are shown");
        }
        if (!trace.missingTopics().isEmpty()) {
            out.println("topics not on this cluster: " + String.join(", ", trace.missingTopics()));
        }
        if (trace.undecodable() > 0) {
            out.println(trace.undecodable() + " records could not be decoded and were skipped");
        }
    }

    private static void line(PrintWriter out, String what, String text) {
        out.printf(Locale.ROOT, "  %-9s %s%n", what, text);
    }
}
