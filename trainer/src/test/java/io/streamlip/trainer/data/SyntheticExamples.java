package io.streamlip.trainer.data;

import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.trainer.model.ModelConfig;
import java.util.List;

/** The trainer tests' examples: the synthetic source's pairs, preprocessed for a model. */
public final class SyntheticExamples {
    private SyntheticExamples() {}

    /** {@code count} examples drawn with {@code seed}, images rendered at 64 px then resized. */
    public static List<DecodedExample> generate(
            int count, long seed, int imageSize, CaptionTokenizer tokenizer) {
        return PreprocessedExamples.of(
                new SyntheticPairs().pairs(count, seed), imageSize, tokenizer);
    }

    /** Consecutive full batches of {@code examples} (a remainder is dropped). */
    public static List<TrainingBatch> batches(
            List<DecodedExample> examples, int batchSize, ModelConfig model, int eosId) {
        return PreprocessedExamples.batches(examples, batchSize, model, eosId);
    }
}
