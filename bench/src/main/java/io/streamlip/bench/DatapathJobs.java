package io.streamlip.bench;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineSources;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.sinks.KafkaSinks;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The jobs {@code bench datapath} measures, as {@link Wiring}s: the pipeline's filter and tokenize
 * jobs, and a relay of the same two exactly-once hops with no stage doing work.
 */
final class DatapathJobs {
    private DatapathJobs() {}

    /** Puts the measured jobs on an environment, reading and writing {@code topics}. */
    @FunctionalInterface
    interface Wiring {
        void attach(StreamExecutionEnvironment env, KafkaClients kafka, PipelineTopics topics);
    }

    /** The filter job and the tokenize job, as the pipeline runs them. */
    static Wiring filterAndTokenize(FilterConfig filter, TokenizeConfig tokenize) {
        return (env, kafka, topics) -> {
            FilterJob.attach(env, kafka, topics, filter, FilterJob.Options.defaults());
            TokenizeJob.attach(env, kafka, topics, tokenize, false);
        };
    }

    /**
     * The pipeline's two hops with nothing in between: raw pairs to the curated topic, curated to
     * the examples topic, each record's bytes as they are, exactly once (the sinks' compression as
     * in the jobs). What Kafka and Flink alone cost a record, and so the most any jobs on these
     * hops can reach on this machine.
     */
    static void relay(StreamExecutionEnvironment env, KafkaClients kafka, PipelineTopics topics) {
        hop(
                env,
                kafka,
                topics.rawPairs(),
                topics.curatedPairs(),
                "relay-filter",
                KafkaSinks.IMAGE_RECORD_COMPRESSION);
        hop(
                env,
                kafka,
                topics.curatedPairs(),
                topics.examples(),
                "relay-tokenize",
                KafkaSinks.PIXEL_RECORD_COMPRESSION);
    }

    private static void hop(
            StreamExecutionEnvironment env,
            KafkaClients kafka,
            String from,
            String to,
            String stage,
            String compression) {
        PipelineSources.read(env, kafka, from, stage, false)
                .sinkTo(
                        KafkaSinks.envelopes(
                                kafka,
                                to,
                                KafkaSinks.transactionalIdPrefix(stage, to),
                                compression))
                .name(stage + "-sink")
                .uid(stage + "-sink");
    }
}
