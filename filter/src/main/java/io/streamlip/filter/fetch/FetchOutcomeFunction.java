package io.streamlip.filter.fetch;

import io.streamlip.platform.flink.RejectCounters;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.Reject;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The fetch stage's synchronous half (the async operator cannot write side outputs): a refusal
 * becomes a reject of stage {@value FetchStage#STAGE} on the rejects side output, counted per
 * reason ({@link RejectCounters}); everything else goes on to curation. Fetched pairs count as
 * {@code accepted}, their bytes in {@code fetch_bytes}, and every fetch's latency (success or
 * failure) in the histogram {@code fetch_latency_ms} (p50, p95, p99, ... over the last {@value
 * #WINDOW}).
 */
final class FetchOutcomeFunction extends ProcessFunction<FetchOutcome, KafkaEnvelope> {
    private static final long serialVersionUID = 1L;

    /** Fetches the latency histogram keeps. */
    static final int WINDOW = 10_000;

    private final int maxRecordBytes;
    private final OutputTag<Reject> rejects;
    private transient RejectCounters counters;
    private transient Histogram latency;
    private transient Counter bytes;

    /**
     * @param rejectsTag the job's rejects side output
     * @param maxRecordBytes the rejects topic's record limit
     */
    FetchOutcomeFunction(OutputTag<Reject> rejectsTag, int maxRecordBytes) {
        this.rejects = rejectsTag;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup();
        counters = new RejectCounters(group);
        MetricGroup streamlip = group.addGroup("streamlip");
        latency =
                streamlip.histogram("fetch_latency_ms", new DescriptiveStatisticsHistogram(WINDOW));
        bytes = streamlip.counter("fetch_bytes");
    }

    @Override
    public void processElement(FetchOutcome outcome, Context ctx, Collector<KafkaEnvelope> out) {
        if (outcome.latencyMicros >= 0) {
            latency.update(outcome.latencyMicros / 1000);
        }
        if (outcome.reason != null) {
            counters.rejected(outcome.reason);
            ctx.output(
                    rejects,
                    outcome.envelope.reject(
                            outcome.id,
                            FetchStage.STAGE,
                            outcome.reason,
                            outcome.detail,
                            maxRecordBytes));
            return;
        }
        if (outcome.latencyMicros >= 0) {
            counters.accepted();
            bytes.inc(outcome.bytes);
        }
        out.collect(outcome.envelope);
    }
}
