package io.streamlip.filter.fetch;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The fetch stage's router, on the task thread: a record to fetch (a decodable {@link RawPair} with
 * an {@code image_url}, no image bytes, and a text curation would accept) goes to the side output
 * {@link #toFetch}; every other record goes on unchanged on the main output, without entering the
 * async operator. A record with its bytes is recognised from the first fields of its body ({@link
 * RawPairPeek}), so its image is neither decoded nor copied. Stateless.
 */
final class FetchRoute extends ProcessFunction<KafkaEnvelope, KafkaEnvelope> {
    private static final long serialVersionUID = 1L;

    private final OutputTag<KafkaEnvelope> toFetch;
    private final PairCurator curator;
    private final RawPairPeek peek = RawPairPeek.forRawPairs();
    private final AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);

    FetchRoute(FilterConfig config, OutputTag<KafkaEnvelope> toFetch) {
        this.toFetch = toFetch;
        this.curator = PairCurator.withoutEvalSets(config);
    }

    @Override
    public void processElement(KafkaEnvelope envelope, Context ctx, Collector<KafkaEnvelope> out) {
        if (needsFetch(envelope)) {
            ctx.output(toFetch, envelope);
        } else {
            out.collect(envelope);
        }
    }

    /** Whether {@code envelope} is a pair to fetch; see the class comment. */
    boolean needsFetch(KafkaEnvelope envelope) {
        RawPairPeek.Kind kind = peek.peek(envelope.value).kind();
        if (kind == RawPairPeek.Kind.INLINE || kind == RawPairPeek.Kind.NEITHER) {
            return false;
        }
        RawPair pair;
        try {
            pair = serde.decode(envelope.value);
        } catch (RuntimeException e) {
            return false; // curation rejects it
        }
        return pair.getImage() == null
                && pair.getImageUrl() != null
                && curator.refusalBeforeImage(pair, envelope.value).isEmpty();
    }
}
