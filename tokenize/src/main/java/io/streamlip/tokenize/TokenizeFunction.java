package io.streamlip.tokenize;

import io.streamlip.ingest.flink.EnvelopeStage;
import io.streamlip.ingest.kafka.KafkaEnvelope;
import io.streamlip.schemas.CuratedPair;
import io.streamlip.schemas.Example;
import io.streamlip.schemas.Verdict;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.functions.OpenContext;

/** Decodes curated pairs and builds an example of each ({@link ExampleBuilder}). */
final class TokenizeFunction extends EnvelopeStage<CuratedPair, Example> {
    private static final long serialVersionUID = 1L;

    private final ExampleBuilder builder;

    TokenizeFunction(ExampleBuilder builder) {
        super(TokenizeJob.STAGE, CuratedPair.class);
        this.builder = builder;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        // ImageIO's streams otherwise cache every image in a temporary file (Images.probe and
        // Images.decode use them): in memory, decoding is about 1.7x faster. JVM-wide and
        // harmless for anything else in a TaskManager.
        ImageIO.setUseCache(false);
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
