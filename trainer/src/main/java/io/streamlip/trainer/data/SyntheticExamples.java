package io.streamlip.trainer.data;

import io.streamlip.ingest.image.Images;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.schemas.RawPair;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.ImagePreprocessor;
import io.streamlip.trainer.model.ModelConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Training examples straight from {@link SyntheticPairs}, preprocessed as the tokenize stage would
 * (image resized by {@link ImagePreprocessor}, caption encoded by the tokenizer), for tests and
 * benchmarks that need no Kafka.
 */
public final class SyntheticExamples {
    private SyntheticExamples() {}

    /** {@code count} examples drawn with {@code seed}, images rendered at 64 px then resized. */
    public static List<DecodedExample> generate(
            int count, long seed, int imageSize, CaptionTokenizer tokenizer) {
        ImagePreprocessor preprocessor = new ImagePreprocessor(imageSize);
        List<DecodedExample> out = new ArrayList<>(count);
        Iterator<RawPair> pairs = new SyntheticPairs().pairs(count, seed);
        while (pairs.hasNext()) {
            RawPair pair = pairs.next();
            ByteBuffer image = pair.getImage().duplicate();
            byte[] png = new byte[image.remaining()];
            image.get(png);
            byte[] rgb;
            try {
                rgb = preprocessor.process(png);
            } catch (Images.UndecodableImageException e) {
                throw new IllegalStateException("synthetic image does not decode", e);
            }
            out.add(
                    new DecodedExample(
                            pair.getId(),
                            pair.getLangHint(),
                            rgb,
                            tokenizer.encode(pair.getAltText())));
        }
        return out;
    }

    /** Consecutive full batches of {@code examples} (a remainder is dropped). */
    public static List<TrainingBatch> batches(
            List<DecodedExample> examples, int batchSize, ModelConfig model, int eosId) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i + batchSize <= examples.size(); i += batchSize) {
            out.add(TrainingBatch.of(examples.subList(i, i + batchSize), model, eosId, Map.of()));
        }
        return out;
    }
}
