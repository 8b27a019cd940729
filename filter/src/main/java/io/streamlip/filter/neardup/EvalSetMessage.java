package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.EvalSetIndex;
import io.streamlip.filter.curate.PerceptualHash;
import java.util.ArrayList;
import java.util.List;

/**
 * One element of the bounded broadcast stream that carries the evaluation sets into the job ({@code
 * DecontaminateFunction}): an evaluation image's hash and thumbnail, or, last, the end marker that
 * says how many images came before it. A Flink POJO.
 */
public class EvalSetMessage {
    /** Whether this is the end marker (then only {@link #total} is set). */
    public boolean end;

    /** The image's {@link PerceptualHash}. */
    public long phash;

    /** The image's {@link PerceptualHash#thumbnail}. */
    public byte[] thumbnail;

    /** Where the image came from (its file); unique per image. */
    public String name;

    /** On the end marker: how many images the stream carried. */
    public int total;

    public EvalSetMessage() {}

    static EvalSetMessage image(EvalSetIndex.Entry entry) {
        EvalSetMessage m = new EvalSetMessage();
        m.phash = entry.phash();
        m.thumbnail = entry.thumbnail();
        m.name = entry.name();
        return m;
    }

    static EvalSetMessage end(int total) {
        EvalSetMessage m = new EvalSetMessage();
        m.end = true;
        m.total = total;
        return m;
    }

    /** The images of {@code entries}, then the end marker. */
    public static List<EvalSetMessage> stream(List<EvalSetIndex.Entry> entries) {
        List<EvalSetMessage> out = new ArrayList<>(entries.size() + 1);
        entries.forEach(e -> out.add(image(e)));
        out.add(end(entries.size()));
        return out;
    }

    EvalSetIndex.Entry entry() {
        return new EvalSetIndex.Entry(phash, thumbnail, name);
    }
}
