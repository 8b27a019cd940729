package io.streamlip.platform.flink;

import io.streamlip.platform.bounds.Rejects;
import io.streamlip.schemas.Reject;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The last step before a rejects sink: every reject fitted to the topic's record limit ({@link
 * Rejects#fit}), whichever stage built it, so no reject can fail the sink.
 */
public final class FitRejects implements MapFunction<Reject, Reject> {
    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;

    public FitRejects(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** {@code rejects} fitted, as operator {@code <stage>-fit-rejects}. */
    public static DataStream<Reject> attach(
            DataStream<Reject> rejects, String stage, int maxRecordBytes) {
        return rejects.map(new FitRejects(maxRecordBytes), rejects.getType())
                .name("fit-rejects")
                .uid(stage + "-fit-rejects");
    }

    @Override
    public Reject map(Reject reject) {
        return Rejects.fit(reject, maxRecordBytes);
    }
}
