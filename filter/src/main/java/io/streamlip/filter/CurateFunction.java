package io.streamlip.filter;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.curate.CuratedEnvelope;
import io.streamlip.filter.curate.PairCurator;
import io.streamlip.filter.neardup.DecontaminateFunction;
import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.RawPair;
import io.streamlip.schemas.Verdict;
import java.time.Instant;

/**
 * Decodes raw pairs and curates each on its own ({@link PairCurator}, without the evaluation sets:
 * the job checks them against broadcast state, {@link DecontaminateFunction}). The curator gets the
 * record's bytes too, so a caption's invalid UTF-8 is told from a real U+FFFD, and refuses a
 * curated pair too large for the curated topic. The envelope it emits carries the image once
 * ({@link CuratedEnvelope#curated}).
 */
final class CurateFunction extends EnvelopeStage<RawPair, CuratedEnvelope> {
    private static final long serialVersionUID = 1L;

    private final PairCurator curator;
    // Re-encodes a curated pair's raw pair, so its record's bytes need not travel beside it.
    private final AvroSerde<RawPair> raw = AvroSerde.of(RawPair.class);

    CurateFunction(FilterConfig config) {
        super(FilterJob.STAGE, RawPair.class, config.bounds().maxRecordBytes());
        this.curator = PairCurator.withoutEvalSets(config);
    }

    @Override
    protected Verdict<CuratedEnvelope> apply(RawPair record, KafkaEnvelope source) {
        Verdict<PairCurator.Curated> verdict =
                curator.curateWithThumbnail(record, source.value, Instant.now());
        if (verdict instanceof Verdict.Refused<PairCurator.Curated> refused) {
            return refused.cast();
        }
        CuratedPair pair = verdict.value().pair();
        return Verdict.accept(
                CuratedEnvelope.curated(
                        PairCurator.duplicateKey(pair),
                        pair,
                        verdict.value().thumbnail(),
                        source,
                        raw));
    }

    @Override
    protected String idOf(RawPair record) {
        return record.getId();
    }
}
