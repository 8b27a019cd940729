package io.streamlip.tokenize;

import io.streamlip.platform.flink.EnvelopeStage;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Verdict;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Decodes curated pairs and builds an example of each ({@link ExampleBuilder}, which also refuses
 * an example too large for the examples topic).
 */
final class TokenizeFunction extends EnvelopeStage<CuratedPair, Example> {
    private static final long serialVersionUID = 1L;

    private final ExampleBuilder builder;

    TokenizeFunction(ExampleBuilder builder) {
        super(TokenizeJob.STAGE, CuratedPair.class, builder.maxRecordBytes());
        this.builder = builder;
    }

    /** Loads the tokenizer file's encoder and the font here, once, not per record. */
    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        builder.open();
    }

    @Override
    public void close() throws Exception {
        builder.close();
        super.close();
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
