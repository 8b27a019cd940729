package io.streamlip.tokenize;

import io.streamlip.ingest.flink.EnvelopeStage;
import io.streamlip.ingest.kafka.KafkaEnvelope;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Verdict;

/** Decodes curated pairs and builds an example of each ({@link ExampleBuilder}). */
final class TokenizeFunction extends EnvelopeStage<CuratedPair, Example> {
    private static final long serialVersionUID = 1L;

    private final ExampleBuilder builder;

    TokenizeFunction(ExampleBuilder builder) {
        super(TokenizeJob.STAGE, CuratedPair.class);
        this.builder = builder;
    }

    @Override
    protected Verdict<Example> apply(CuratedPair record, KafkaEnvelope source) {
        return builder.build(record);
    }

    @Override
    protected String idOf(CuratedPair record) {
        return record.getPair().getId();
    }
}
