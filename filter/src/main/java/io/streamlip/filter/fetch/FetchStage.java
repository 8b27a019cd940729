package io.streamlip.filter.fetch;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.Reject;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The filter job's fetch stage, in front of curation: {@code <job>-fetch}, an unordered async
 * operator ({@link FetchFunction}) holding at most {@link FetchConfig#maxInFlight} records, then
 * {@code <job>-fetch-outcome} ({@link FetchOutcomeFunction}), which sends refusals to the rejects
 * (stage {@value #STAGE}) and the rest on. Unordered: a slow host must not hold back the pairs
 * fetched after it, and nothing downstream needs the topic's order (docs/decisions/fetching.md).
 * Records in flight at a checkpoint are in the operator's state and fetched again after a restore,
 * so a restart loses and duplicates nothing.
 */
public final class FetchStage {
    /** The stage named in the fetch stage's rejects. */
    public static final String STAGE = "fetch";

    private FetchStage() {}

    /**
     * The stage on {@code raw}: the records to curate; its rejects are the returned operator's side
     * output {@code EnvelopeStage.rejects(jobStage)}.
     *
     * @param jobStage the job's stage name, the prefix of the operators' uids
     */
    public static SingleOutputStreamOperator<KafkaEnvelope> attach(
            DataStream<KafkaEnvelope> raw, FilterConfig config, String jobStage) {
        FetchConfig fetch = config.fetch();
        SingleOutputStreamOperator<FetchOutcome> fetched =
                AsyncDataStream.unorderedWait(
                                raw,
                                new FetchFunction(config),
                                fetch.operatorTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                fetch.maxInFlight())
                        .returns(TypeInformation.of(FetchOutcome.class))
                        .name("fetch")
                        .uid(jobStage + "-fetch");
        OutputTag<Reject> rejects = EnvelopeStage.rejects(jobStage);
        return fetched.process(
                        new FetchOutcomeFunction(rejects, config.bounds().maxRecordBytes()),
                        TypeInformation.of(KafkaEnvelope.class))
                .name("fetch-outcome")
                .uid(jobStage + "-fetch-outcome");
    }
}
