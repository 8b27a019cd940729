package io.streamlip.filter.fetch;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.Reject;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The filter job's fetch stage, in front of curation. {@code <job>-fetch-route} ({@link
 * FetchRoute}) sends the pairs to fetch (an {@code image_url}, no bytes) to {@code <job>-fetch}, an
 * unordered async operator ({@link FetchFunction}) holding at most {@link FetchConfig#maxInFlight}
 * records, then {@code <job>-fetch-outcome} ({@link FetchOutcomeFunction}), which sends refusals to
 * the rejects (stage {@value #STAGE}) and the rest on; every other record leaves the router at once
 * ({@link Routed#carried}) and never waits in the async operator. Unordered: a slow host must not
 * hold back the pairs fetched after it, and nothing downstream needs the topic's order
 * (docs/decisions/fetching.md); records that carry their bytes keep their order among themselves.
 * Records in flight at a checkpoint are in the async operator's state and fetched again after a
 * restore, so a restart loses and duplicates nothing. The pairs to fetch are keyed by host, so a
 * host's limits hold job-wide; a host reached by a redirect, or a record restored into another task
 * after a rescale, gets that task's share of them ({@link HostLimiter.HostShare}).
 */
public final class FetchStage {
    /** The stage named in the fetch stage's rejects. */
    public static final String STAGE = "fetch";

    private FetchStage() {}

    /**
     * The two streams leaving the stage, each to be curated.
     *
     * @param carried the records that needed no fetch (their bytes inline, or no URL, or refused by
     *     curation on their text alone), unchanged and in their input order
     * @param fetched the fetched pairs, with their images; the fetch rejects are its side output
     *     {@code EnvelopeStage.rejects(jobStage)}
     */
    public record Routed(
            DataStream<KafkaEnvelope> carried, SingleOutputStreamOperator<KafkaEnvelope> fetched) {}

    /**
     * The stage on {@code raw}, routed: only the pairs to fetch enter the async operator.
     *
     * @param jobStage the job's stage name, the prefix of the operators' uids
     */
    public static Routed attach(
            DataStream<KafkaEnvelope> raw, FilterConfig config, String jobStage) {
        TypeInformation<KafkaEnvelope> type = TypeInformation.of(KafkaEnvelope.class);
        OutputTag<KafkaEnvelope> toFetch = new OutputTag<>(jobStage + "-to-fetch", type);
        SingleOutputStreamOperator<KafkaEnvelope> routed =
                raw.process(new FetchRoute(config, toFetch), type)
                        .name("fetch-route")
                        .uid(jobStage + "-fetch-route");
        // Keyed by host: one host's fetches all run in one task, so its limits hold job-wide.
        DataStream<KafkaEnvelope> byHost =
                routed.getSideOutput(toFetch).keyBy(new FetchHostKey(), Types.STRING);
        return new Routed(routed, fetch(byHost, config, jobStage, true));
    }

    /**
     * Every record of {@code raw} through the async operator (what {@link #attach} does with the
     * records to fetch; records that need no fetch pass through it unchanged). {@code bench
     * fetch-inline} compares the two on records that carry their bytes.
     *
     * @return the records to curate; the rejects are its side output {@code
     *     EnvelopeStage.rejects(jobStage)}
     */
    public static SingleOutputStreamOperator<KafkaEnvelope> attachUnrouted(
            DataStream<KafkaEnvelope> raw, FilterConfig config, String jobStage) {
        return fetch(raw, config, jobStage, false);
    }

    private static SingleOutputStreamOperator<KafkaEnvelope> fetch(
            DataStream<KafkaEnvelope> raw,
            FilterConfig config,
            String jobStage,
            boolean keyedByHost) {
        FetchConfig fetch = config.fetch();
        SingleOutputStreamOperator<FetchOutcome> fetched =
                AsyncDataStream.unorderedWait(
                                raw,
                                new FetchFunction(config, keyedByHost),
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
