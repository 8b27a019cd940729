package io.streamlip.bench;

import io.streamlip.filter.FilterJob;
import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.platform.kafka.PipelineSources;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import io.streamlip.sinks.KafkaSinks;
import io.streamlip.tokenize.ExampleBuilder;
import io.streamlip.tokenize.TokenizeConfig;
import io.streamlip.tokenize.TokenizeJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
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

    /** How many distinct examples the relay's second hop cycles through. */
    static final int RELAY_EXAMPLES = 16;

    /**
     * The pipeline's two hops with nothing in between, exactly once, with the sinks' compression as
     * in the jobs, carrying the bytes the jobs carry: raw pairs to the curated topic as they are,
     * and on the second hop each curated record's value replaced by an encoded example's ({@code
     * exampleValues}, in turn), since an example is not the size of the pair it comes from (a 224
     * px example's 150 KB of pixels against a 50-100 KB JPEG). What Kafka and Flink alone cost a
     * record, and so the most any jobs on these hops can reach on this machine.
     */
    static Wiring relay(List<byte[]> exampleValues) {
        List<byte[]> values = List.copyOf(exampleValues);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("the relay needs at least one example's bytes");
        }
        return (env, kafka, topics) -> {
            sink(
                    PipelineSources.read(env, kafka, topics.rawPairs(), "relay-filter", false),
                    kafka,
                    topics.curatedPairs(),
                    "relay-filter",
                    KafkaSinks.IMAGE_RECORD_COMPRESSION);
            sink(
                    PipelineSources.read(env, kafka, topics.curatedPairs(), "relay-tokenize", false)
                            .map(new ExampleBytes(values))
                            .name("relay-example-bytes")
                            .uid("relay-example-bytes"),
                    kafka,
                    topics.examples(),
                    "relay-tokenize",
                    KafkaSinks.PIXEL_RECORD_COMPRESSION);
        };
    }

    /**
     * The encoded examples of the first {@link #RELAY_EXAMPLES} of {@code pairs} that curation
     * keeps, as the tokenize job writes them: what the relay's second hop carries.
     */
    static List<byte[]> exampleValues(
            List<RawPair> pairs, FilterConfig filter, TokenizeConfig tokenize) {
        PairCurator curator = new PairCurator(filter);
        ExampleBuilder builder = new ExampleBuilder(tokenize);
        AvroSerde<Example> serde = AvroSerde.of(Example.class);
        List<byte[]> values = new ArrayList<>();
        for (RawPair pair : pairs) {
            if (values.size() == RELAY_EXAMPLES) {
                break;
            }
            if (curator.curate(pair, Instant.now()) instanceof Verdict.Accepted<CuratedPair> kept
                    && builder.build(kept.value()) instanceof Verdict.Accepted<Example> example) {
                values.add(serde.encode(example.value()));
            }
        }
        return values;
    }

    /** Gives each envelope the next example's bytes: no decoding, no work, a reference. */
    static final class ExampleBytes implements MapFunction<KafkaEnvelope, KafkaEnvelope> {
        private static final long serialVersionUID = 1L;

        private final List<byte[]> values;
        private int next;

        ExampleBytes(List<byte[]> values) {
            this.values = values;
        }

        @Override
        public KafkaEnvelope map(KafkaEnvelope envelope) {
            envelope.value = values.get(next);
            next = (next + 1) % values.size();
            return envelope;
        }
    }

    private static void sink(
            DataStream<KafkaEnvelope> records,
            KafkaClients kafka,
            String to,
            String stage,
            String compression) {
        records.sinkTo(
                        KafkaSinks.envelopes(
                                kafka,
                                to,
                                KafkaSinks.transactionalIdPrefix(stage, to),
                                compression))
                .name(stage + "-sink")
                .uid(stage + "-sink");
    }
}
